//! The live-reload channel: the script injected into served pages and the hub that pushes
//! Server-Sent Events to every open page.
//!
//! Events (all on `/__briefing/events`, `data` is JSON):
//!
//! - `hello` `{"version", "errors"}`: sent first on every connection. A page whose own version
//!   differs reloads (it was served before a rebuild it missed, or by an earlier server);
//!   `errors` (diagnostics text or `null`) shows or hides the overlay.
//! - `reload` `{"version", "css_only", "errors": null}`: a rebuild succeeded and changed the site.
//!   With `css_only` the page re-links its stylesheets; otherwise it reloads, keeping its scroll
//!   position.
//! - `errors` `{"errors"}`: a rebuild failed; the page shows the diagnostics over itself and the
//!   last good site goes on being served.

use std::sync::Mutex;
use std::sync::mpsc::{Receiver, Sender, channel};

/// The reserved address of the event stream.
pub(crate) const EVENTS_PATH: &str = "/__briefing/events";

/// Replaced, in each HTML page as it is served, by the version of the site being served.
pub(crate) const VERSION_PLACEHOLDER: &str = "__BRIEFING_SERVE_VERSION__";

/// The script inserted before `</body>` of every page (through `BuildOptions::inject`). It is
/// the same for every build, so an unchanged page renders to the same bytes; the version is
/// stamped in when the page is served (see [`stamp`]).
pub(crate) fn script() -> String {
    SCRIPT
        .replace("@EVENTS@", EVENTS_PATH)
        .replace("@VERSION@", VERSION_PLACEHOLDER)
}

const SCRIPT: &str = r#"<script>/* briefing serve: live reload */
(function () {
  "use strict";
  var version = "@VERSION@";
  var key = "briefing-serve-scroll:" + location.pathname;
  try {
    var saved = sessionStorage.getItem(key);
    if (saved !== null) {
      sessionStorage.removeItem(key);
      var y = parseFloat(saved) || 0;
      var restore = function () { window.scrollTo(0, y); };
      if (document.readyState === "complete") { restore(); } else { window.addEventListener("load", restore); }
    }
  } catch (e) {}
  function reload() {
    try { sessionStorage.setItem(key, String(window.scrollY)); } catch (e) {}
    location.reload();
  }
  function relinkStyles() {
    var links = document.querySelectorAll('link[rel~="stylesheet"]');
    for (var i = 0; i < links.length; i++) {
      var href = links[i].getAttribute("href");
      if (!href) { continue; }
      href = href.replace(/([?&])__briefing=\d+&?/, "$1").replace(/[?&]$/, "");
      links[i].setAttribute("href", href + (href.indexOf("?") < 0 ? "?" : "&") + "__briefing=" + Date.now());
    }
  }
  function overlay(text) {
    var el = document.getElementById("__briefing-overlay");
    if (!text) { if (el) { el.parentNode.removeChild(el); } return; }
    if (!el) {
      el = document.createElement("div");
      el.id = "__briefing-overlay";
      el.setAttribute("role", "alert");
      el.setAttribute("style", "position:fixed;top:0;left:0;right:0;bottom:0;z-index:2147483647;overflow:auto;margin:0;padding:2em;background:rgba(24,24,24,.94);color:#f5f5f5;font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;text-align:left");
      var title = document.createElement("div");
      title.setAttribute("style", "font-weight:bold;margin-bottom:1em");
      title.textContent = "briefing serve: the site has errors. This is the last good version; it reloads as soon as they are fixed.";
      var pre = document.createElement("pre");
      pre.setAttribute("style", "white-space:pre-wrap;margin:0;color:#ffb3b3;font:inherit");
      el.appendChild(title);
      el.appendChild(pre);
      (document.body || document.documentElement).appendChild(el);
    }
    el.lastChild.textContent = text;
  }
  if (!window.EventSource || !window.JSON) { return; }
  var source = new EventSource("@EVENTS@");
  source.addEventListener("hello", function (e) {
    var d = JSON.parse(e.data);
    if (d.version !== version) { reload(); return; }
    overlay(d.errors);
  });
  source.addEventListener("reload", function (e) {
    var d = JSON.parse(e.data);
    if (d.css_only) { version = d.version; overlay(null); relinkStyles(); } else { reload(); }
  });
  source.addEventListener("errors", function (e) { overlay(JSON.parse(e.data).errors); });
})();
</script>
"#;

/// `html` with the last version placeholder (the one in the injected script) replaced by
/// `version`. Pages without it come back unchanged.
pub(crate) fn stamp(html: &[u8], version: &str) -> Vec<u8> {
    let needle = VERSION_PLACEHOLDER.as_bytes();
    let Some(at) = html.windows(needle.len()).rposition(|w| w == needle) else {
        return html.to_vec();
    };
    let mut out = Vec::with_capacity(html.len() + version.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(version.as_bytes());
    out.extend_from_slice(&html[at + needle.len()..]);
    out
}

/// One Server-Sent Event, framed.
pub(crate) fn frame(event: &str, data: &serde_json::Value) -> String {
    // serde_json never writes a raw newline inside a value, so the data is one line.
    format!("event: {event}\ndata: {data}\n\n")
}

/// The `hello` event for a page that just connected.
pub(crate) fn hello(version: &str, errors: Option<&str>) -> String {
    frame(
        "hello",
        &serde_json::json!({ "version": version, "errors": errors }),
    )
}

/// The `reload` event after a successful rebuild.
pub(crate) fn reload(version: &str, css_only: bool) -> String {
    frame(
        "reload",
        &serde_json::json!({ "version": version, "css_only": css_only, "errors": null }),
    )
}

/// The `errors` event after a failed rebuild.
pub(crate) fn errors(diagnostics: &str) -> String {
    frame("errors", &serde_json::json!({ "errors": diagnostics }))
}

/// Every open event stream; a broadcast drops the ones whose page has gone.
#[derive(Default)]
pub(crate) struct Hub {
    clients: Mutex<Vec<Sender<String>>>,
}

impl Hub {
    /// A new listener for every later broadcast.
    pub(crate) fn subscribe(&self) -> Receiver<String> {
        let (tx, rx) = channel();
        if let Ok(mut clients) = self.clients.lock() {
            clients.push(tx);
        }
        rx
    }

    /// Send `message` to every listener still there.
    pub(crate) fn broadcast(&self, message: &str) {
        if let Ok(mut clients) = self.clients.lock() {
            clients.retain(|tx| tx.send(message.to_string()).is_ok());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_the_last_placeholder_only() {
        let html = format!("<p>{VERSION_PLACEHOLDER}</p>{}</body>", script());
        let stamped = String::from_utf8(stamp(html.as_bytes(), "abc-3")).unwrap_or_default();
        assert!(stamped.contains(&format!("<p>{VERSION_PLACEHOLDER}</p>")));
        assert!(stamped.contains("var version = \"abc-3\";"));
        assert_eq!(stamp(b"<p>plain</p>", "x"), b"<p>plain</p>".to_vec());
    }

    #[test]
    fn events_are_single_line_json() {
        let e = errors("a.yaml:1:1: error: x\nb.yaml:2:2: error: </script>");
        assert!(e.starts_with("event: errors\ndata: {"));
        assert_eq!(e.matches('\n').count(), 3);
    }
}
