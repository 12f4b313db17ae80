#!/usr/bin/env bash
# The test command of README.md: installs what the tests need, then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

# tests/browser.rs drives a headless Chromium through chromedriver (Debian packages chromium
# and chromium-driver). Install them when missing and we are root. Under CI (CI set, not
# false/0) not having them is an error, as it is for the test itself; elsewhere the test skips
# with a message.
case "${CI:-}" in "" | false | 0) ci=false ;; *) ci=true ;; esac
have_browser() { command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; }
if ! have_browser; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: installing chromium and chromium-driver for tests/browser.rs" >&2
    log=$(mktemp)
    if ! { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver; } \
      >"$log" 2>&1; then
      cat "$log" >&2
      echo "test.sh: apt-get could not install chromium and chromium-driver (output above)" >&2
    fi
    rm -f "$log"
  fi
  if ! have_browser; then
    if $ci; then
      echo "test.sh: error: chromium and chromedriver are needed under CI and could not be" \
        "installed (run as root with apt-get, or install chromium and chromium-driver)" >&2
      exit 1
    fi
    echo "test.sh: warning: no chromium/chromedriver: tests/browser.rs will be skipped" >&2
  fi
fi

# tests/readers.rs validates every Atom feed with xmllint (Debian libxml2-utils) against
# tests/schemas/atom.rng. Installed the same way; under CI a missing xmllint is an error.
if ! command -v xmllint >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: installing libxml2-utils (xmllint) for tests/readers.rs" >&2
    log=$(mktemp)
    if ! { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y libxml2-utils; } \
      >"$log" 2>&1; then
      cat "$log" >&2
      echo "test.sh: apt-get could not install libxml2-utils (output above)" >&2
    fi
    rm -f "$log"
  fi
  if ! command -v xmllint >/dev/null 2>&1; then
    if $ci; then
      echo "test.sh: error: xmllint (libxml2-utils) is needed under CI to validate the feeds" \
        "and could not be installed" >&2
      exit 1
    fi
    echo "test.sh: warning: no xmllint: the feed validation of tests/readers.rs will be skipped" >&2
  fi
fi

# tests/browser.rs also checks every page type with axe-core (the npm package), injected into
# the browser. It is installed with npm into the target folder when missing; under CI, not
# having it is an error.
axe_dir="${CARGO_TARGET_DIR:-target}/tmp/axe-core"
axe="$axe_dir/node_modules/axe-core/axe.min.js"
if [ ! -f "$axe" ]; then
  if ! command -v npm >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: installing npm for axe-core" >&2
    { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y npm; } >/dev/null 2>&1 || true
  fi
  if command -v npm >/dev/null 2>&1; then
    echo "test.sh: installing axe-core into $axe_dir" >&2
    mkdir -p "$axe_dir"
    npm install --no-audit --no-fund --silent --prefix "$axe_dir" axe-core@4.14.1 >&2 || true
  fi
fi
if [ -f "$axe" ]; then
  BRIEFING_AXE="$(cd "$(dirname "$axe")" && pwd)/axe.min.js"
  export BRIEFING_AXE
elif $ci; then
  echo "test.sh: error: axe-core is needed under CI and could not be installed with npm" >&2
  exit 1
else
  echo "test.sh: warning: no axe-core: the accessibility checks of tests/browser.rs will be skipped" >&2
fi

cargo test --release --locked "$@"
