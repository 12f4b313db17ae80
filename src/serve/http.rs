//! A small HTTP/1.1 server over `std::net`: one thread per connection (at most
//! [`MAX_CONNECTIONS`] at once), keep-alive, GET and HEAD only, every file from the in-memory
//! site.
//!
//! Every wait is bounded: a request head must arrive whole within [`HEAD_TIMEOUT`] and be at
//! most [`MAX_HEAD`] bytes, a write that makes no progress for [`WRITE_TIMEOUT`] ends the
//! connection. A bad request gets its 4xx answer and closes that connection alone; nothing a
//! client sends or fails to read stops the others being served.
//!
//! Addresses are decoded once, strictly: a `%` not followed by two hex digits, a decoded `%`
//! (double encoding), a backslash, a control character (NUL included), invalid UTF-8, an empty
//! segment or a `.`/`..` segment is refused with 400 before anything is looked up. Lookups are
//! in the map of rendered files, so no path can reach the file system anyway.

use super::reload::{self, EVENTS_PATH};
use super::{Served, Shared, Snapshot};
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc::RecvTimeoutError;
use std::time::{Duration, Instant};

/// Largest request head (request line and headers) accepted: past it, 431.
pub(crate) const MAX_HEAD: usize = 16 * 1024;
/// Connections served at once; past it, new ones get 503 and are closed.
pub(crate) const MAX_CONNECTIONS: usize = 512;
/// Time for a whole request head to arrive on a new connection.
pub(crate) const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// Time a kept-alive connection may sit idle before the next request.
const IDLE_TIMEOUT: Duration = Duration::from_secs(5);
/// A write that makes no progress for this long ends the connection.
const WRITE_TIMEOUT: Duration = Duration::from_secs(20);
/// How often an idle event stream is pinged (which also finds pages that have gone).
const PING_EVERY: Duration = Duration::from_secs(15);
/// Requests on one kept-alive connection before it is closed.
const MAX_REQUESTS: usize = 1000;

/// Accept connections for ever, each on its own thread.
pub(crate) fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    for stream in listener.incoming() {
        match stream {
            Ok(stream) => dispatch(stream, &shared),
            // Out of file descriptors and the like: wait a little instead of spinning.
            Err(_) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
}

/// Counts a connection while it lives.
struct Active(Arc<Shared>);

impl Drop for Active {
    fn drop(&mut self) {
        self.0.active.fetch_sub(1, Ordering::SeqCst);
    }
}

fn dispatch(mut stream: TcpStream, shared: &Arc<Shared>) {
    let count = shared.active.fetch_add(1, Ordering::SeqCst) + 1;
    let active = Active(Arc::clone(shared));
    if count > MAX_CONNECTIONS {
        let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
        let _ = write_response(
            &mut stream,
            &Reply::text(503, "too many connections; try again"),
            false,
            false,
        );
        return;
    }
    let shared = Arc::clone(shared);
    // If the thread cannot be started the closure is dropped: the connection closes and the
    // count goes down.
    let _ = std::thread::Builder::new()
        .name("briefing-http".into())
        .stack_size(256 * 1024)
        .spawn(move || {
            let _active = active;
            handle(stream, &shared);
        });
}

/// What was wrong with a request head.
#[derive(Debug, PartialEq)]
enum HeadError {
    TooLarge,
    Timeout,
    Closed,
}

/// A connection and the bytes read past the last request head.
struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Conn {
    /// The next request head (without the blank line), `Ok(None)` when the client closed or
    /// went idle between requests.
    fn read_head(&mut self, wait: Duration) -> Result<Option<Vec<u8>>, HeadError> {
        let deadline = Instant::now() + wait;
        let mut chunk = [0u8; 4096];
        loop {
            // Blank lines before a request line are allowed (RFC 9112 §2.2).
            let skip = self
                .buf
                .iter()
                .take_while(|b| **b == b'\r' || **b == b'\n')
                .count();
            self.buf.drain(..skip);
            if let Some(end) = head_end(&self.buf) {
                if end > MAX_HEAD {
                    return Err(HeadError::TooLarge);
                }
                let head: Vec<u8> = self.buf.drain(..end).collect();
                return Ok(Some(head));
            }
            if self.buf.len() > MAX_HEAD {
                return Err(HeadError::TooLarge);
            }
            let now = Instant::now();
            if now >= deadline {
                return if self.buf.is_empty() {
                    Ok(None)
                } else {
                    Err(HeadError::Timeout)
                };
            }
            if self.stream.set_read_timeout(Some(deadline - now)).is_err() {
                return Err(HeadError::Closed);
            }
            match self.stream.read(&mut chunk) {
                Ok(0) if self.buf.is_empty() => return Ok(None),
                Ok(0) => return Err(HeadError::Closed),
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                Err(_) => return Err(HeadError::Closed),
            }
        }
    }

    /// Answer with an error and close, reading (and dropping) what the client still sends for a
    /// moment so that it sees the answer instead of a reset connection.
    fn fail(mut self, reply: &Reply) {
        let _ = write_response(&mut self.stream, reply, false, false);
        let _ = self.stream.flush();
        let _ = self.stream.shutdown(Shutdown::Write);
        let _ = self
            .stream
            .set_read_timeout(Some(Duration::from_millis(300)));
        let started = Instant::now();
        let mut sink = [0u8; 8192];
        let mut drained = 0usize;
        while drained < 4 << 20 && started.elapsed() < Duration::from_secs(2) {
            match self.stream.read(&mut sink) {
                Ok(0) | Err(_) => break,
                Ok(n) => drained += n,
            }
        }
    }
}

/// Where the blank line ending a head ends (`\r\n\r\n` or bare `\n\n`).
fn head_end(buf: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = buf[from..].iter().position(|b| *b == b'\n') {
        let i = from + i;
        match buf.get(i + 1) {
            Some(b'\n') => return Some(i + 2),
            Some(b'\r') if buf.get(i + 2) == Some(&b'\n') => return Some(i + 3),
            _ => {}
        }
        from = i + 1;
    }
    None
}

/// One parsed request head.
#[derive(Debug)]
struct Request {
    method: String,
    target: String,
    keep_alive: bool,
    has_body: bool,
}

/// Parse a request head; `Err` is the status to answer with.
fn parse(head: &[u8]) -> Result<Request, u16> {
    let text = std::str::from_utf8(head).map_err(|_| 400u16)?;
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let request_line = lines.next().ok_or(400u16)?;
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(400);
    };
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_alphabetic()) || target.is_empty() {
        return Err(400);
    }
    let http10 = match version {
        "HTTP/1.1" => false,
        "HTTP/1.0" => true,
        v if v.starts_with("HTTP/") => return Err(505),
        _ => return Err(400),
    };
    let mut connection = String::new();
    let mut has_body = false;
    for line in lines {
        if line.is_empty() {
            continue;
        }
        let (name, value) = line.split_once(':').ok_or(400u16)?;
        if name.is_empty() || name.bytes().any(|b| b.is_ascii_whitespace() || b < 0x21) {
            return Err(400);
        }
        let value = value.trim();
        if name.eq_ignore_ascii_case("connection") {
            connection = value.to_ascii_lowercase();
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            has_body = true;
        } else if name.eq_ignore_ascii_case("content-length") {
            let length: u64 = value.parse().map_err(|_| 400u16)?;
            has_body |= length > 0;
        }
    }
    let keep_alive = if http10 {
        connection.split(',').any(|t| t.trim() == "keep-alive")
    } else {
        !connection.split(',').any(|t| t.trim() == "close")
    };
    Ok(Request {
        method: method.to_string(),
        target: target.to_string(),
        keep_alive,
        has_body,
    })
}

/// Serve requests on one connection until it closes.
fn handle(stream: TcpStream, shared: &Shared) {
    let _ = stream.set_nodelay(true);
    if stream.set_write_timeout(Some(WRITE_TIMEOUT)).is_err() {
        return;
    }
    let mut conn = Conn {
        stream,
        buf: Vec::new(),
    };
    for n in 0..MAX_REQUESTS {
        let wait = if n == 0 { HEAD_TIMEOUT } else { IDLE_TIMEOUT };
        let head = match conn.read_head(wait) {
            Ok(Some(head)) => head,
            Ok(None) | Err(HeadError::Closed) => return,
            Err(HeadError::TooLarge) => {
                return conn.fail(&Reply::text(431, "request head too large"));
            }
            Err(HeadError::Timeout) => return conn.fail(&Reply::text(408, "request timed out")),
        };
        let request = match parse(&head) {
            Ok(request) => request,
            Err(status) => return conn.fail(&Reply::text(status, "bad request")),
        };
        let head_only = match request.method.as_str() {
            "GET" => false,
            "HEAD" => true,
            _ => {
                let mut reply = Reply::text(405, "only GET and HEAD are answered");
                reply.allow = true;
                return conn.fail(&reply);
            }
        };
        let keep_alive = request.keep_alive && !request.has_body;
        let snapshot = shared.snapshot();
        let reply = match route(&request.target, &snapshot) {
            Ok(Route::Events) => return events(conn, shared, head_only),
            Ok(Route::Reply(reply)) => reply,
            Err(status) => return conn.fail(&Reply::text(status, "bad request")),
        };
        if write_response(&mut conn.stream, &reply, head_only, keep_alive).is_err() {
            return;
        }
        if !keep_alive {
            let _ = conn.stream.shutdown(Shutdown::Both);
            return;
        }
    }
}

/// The event stream of live reload: `hello` at once, then every broadcast, and a comment now
/// and then so that a page that has gone is noticed.
fn events(mut conn: Conn, shared: &Shared, head_only: bool) {
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n\
                Cache-Control: no-store\r\nX-Accel-Buffering: no\r\nConnection: close\r\n\r\n";
    if conn.stream.write_all(head.as_bytes()).is_err() || head_only {
        return;
    }
    // Subscribe before reading the state, so that no rebuild falls between the two.
    let rx = shared.hub.subscribe();
    let snapshot = shared.snapshot();
    let hello = reload::hello(&snapshot.version, snapshot.errors.as_deref());
    if conn
        .stream
        .write_all(format!("retry: 1000\n\n{hello}").as_bytes())
        .is_err()
    {
        return;
    }
    loop {
        let message = match rx.recv_timeout(PING_EVERY) {
            Ok(message) => message,
            Err(RecvTimeoutError::Timeout) => ": ping\n\n".to_string(),
            Err(RecvTimeoutError::Disconnected) => return,
        };
        if conn.stream.write_all(message.as_bytes()).is_err() {
            return;
        }
    }
}

/// What a request is for.
enum Route {
    /// The live-reload event stream.
    Events,
    /// Anything else, answered at once.
    Reply(Reply),
}

/// An answer with its body.
struct Reply {
    status: u16,
    content_type: &'static str,
    body: Body,
    location: Option<String>,
    allow: bool,
}

enum Body {
    /// A file of the served site, shared (not copied).
    File(super::incremental::Bytes),
    Owned(Vec<u8>),
}

impl Reply {
    fn text(status: u16, text: &str) -> Reply {
        Reply {
            status,
            content_type: "text/plain; charset=utf-8",
            body: Body::Owned(format!("{status} {}: {text}\n", reason(status)).into_bytes()),
            location: None,
            allow: false,
        }
    }

    fn bytes(&self) -> &[u8] {
        match &self.body {
            Body::File(bytes) => bytes,
            Body::Owned(bytes) => bytes,
        }
    }
}

/// Decide what to answer for `target`; `Err` is a status for a target that is refused.
fn route(target: &str, snapshot: &Snapshot) -> Result<Route, u16> {
    let (raw_path, query) = split_target(target).ok_or(400u16)?;
    let path = decode_path(raw_path).ok_or(400u16)?;
    if path == EVENTS_PATH {
        return Ok(Route::Events);
    }
    let Some(served) = &snapshot.site else {
        return Ok(Route::Reply(error_page(snapshot)));
    };
    let not_found = || Route::Reply(not_found(served, snapshot));
    if path.starts_with("/__briefing/") {
        return Ok(not_found());
    }
    let base = served.base_path.as_str();
    if base != "/" && path == base.trim_end_matches('/') {
        return Ok(Route::Reply(redirect(&format!("{raw_path}/"), query)));
    }
    let Some(rel) = path.strip_prefix(base) else {
        return Ok(not_found());
    };
    let key = if rel.is_empty() || rel.ends_with('/') {
        format!("{rel}index.html")
    } else {
        rel.to_string()
    };
    if let Some(reply) = file(served, &key, 200, snapshot) {
        return Ok(Route::Reply(reply));
    }
    if !rel.is_empty() && !rel.ends_with('/') && served.contains(&format!("{rel}/index.html")) {
        return Ok(Route::Reply(redirect(&format!("{raw_path}/"), query)));
    }
    Ok(not_found())
}

/// A file of the site, rendered if it was not yet; HTML pages get the served version stamped
/// into the reload script. A page whose template fails shows why, like a failed build.
fn file(served: &Served, key: &str, status: u16, snapshot: &Snapshot) -> Option<Reply> {
    let bytes = match served.get(key)? {
        Ok(bytes) => bytes,
        Err(message) => {
            let failed = Snapshot {
                errors: Some(message),
                ..snapshot.clone()
            };
            return Some(error_page(&failed));
        }
    };
    let body = if key.ends_with(".html") {
        Body::Owned(reload::stamp(&bytes, &snapshot.version))
    } else {
        Body::File(bytes)
    };
    Some(Reply {
        status,
        content_type: content_type(key),
        body,
        location: None,
        allow: false,
    })
}

/// 404 with the site's own not-found page when it has one.
fn not_found(served: &Served, snapshot: &Snapshot) -> Reply {
    file(served, "404.html", 404, snapshot).unwrap_or_else(|| Reply::text(404, "not found"))
}

fn redirect(location: &str, query: Option<&str>) -> Reply {
    let location = match query {
        Some(q) => format!("{location}?{q}"),
        None => location.to_string(),
    };
    let mut reply = Reply::text(302, &format!("see {location}"));
    reply.location = Some(location);
    reply
}

/// What is served while no build has succeeded yet: the diagnostics, and the reload script so
/// that the page turns into the site as soon as it builds.
fn error_page(snapshot: &Snapshot) -> Reply {
    let errors = snapshot
        .errors
        .as_deref()
        .unwrap_or("the site is being built");
    let html = format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>briefing serve: the site \
         has errors</title></head>\n<body><h1>The site has errors</h1>\n<p>This page reloads \
         by itself as soon as they are fixed.</p>\n<pre>{}</pre>\n{}</body></html>\n",
        escape_html(errors),
        reload::script()
    );
    Reply {
        status: 503,
        content_type: "text/html; charset=utf-8",
        body: Body::Owned(reload::stamp(html.as_bytes(), &snapshot.version)),
        location: None,
        allow: false,
    }
}

fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The path and query of a request target (origin form, or absolute form whose scheme and
/// host are dropped). `None` for anything else (`*`, a relative path).
fn split_target(target: &str) -> Option<(&str, Option<&str>)> {
    let target = target.split('#').next().unwrap_or(target);
    let target = match target
        .strip_prefix("http://")
        .or_else(|| target.strip_prefix("https://"))
    {
        Some(rest) => rest.find('/').map(|i| &rest[i..]).unwrap_or("/"),
        None => target,
    };
    if !target.starts_with('/') {
        return None;
    }
    Some(match target.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (target, None),
    })
}

/// The path percent-decoded once, or `None` when anything about it is odd (see the module
/// docs): only plain `/segment/segment` paths get through.
pub(crate) fn decode_path(raw: &str) -> Option<String> {
    if !raw.starts_with('/') {
        return None;
    }
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hi = hex(*bytes.get(i + 1)?)?;
            let lo = hex(*bytes.get(i + 2)?)?;
            out.push(hi << 4 | lo);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    let path = String::from_utf8(out).ok()?;
    if path
        .chars()
        .any(|c| c.is_control() || c == '\\' || c == '%')
    {
        return None;
    }
    let segments: Vec<&str> = path[1..].split('/').collect();
    let last = segments.len() - 1;
    for (i, segment) in segments.iter().enumerate() {
        if *segment == "." || *segment == ".." || (segment.is_empty() && i != last) {
            return None;
        }
    }
    Some(path)
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// The content type of an output file, by its extension.
pub(crate) fn content_type(path: &str) -> &'static str {
    let name = path.rsplit('/').next().unwrap_or(path);
    if name == "atom.xml" {
        return "application/atom+xml; charset=utf-8";
    }
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json",
        "xml" => "application/xml; charset=utf-8",
        "txt" | "md" => "text/plain; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "pdf" => "application/pdf",
        "wasm" => "application/wasm",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "mp3" => "audio/mpeg",
        "ogg" => "audio/ogg",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        302 => "Found",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "Error",
    }
}

fn write_response(
    stream: &mut TcpStream,
    reply: &Reply,
    head_only: bool,
    keep_alive: bool,
) -> std::io::Result<()> {
    let body = reply.bytes();
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-store\r\n\
         X-Content-Type-Options: nosniff\r\nConnection: {}\r\n",
        reply.status,
        reason(reply.status),
        reply.content_type,
        body.len(),
        if keep_alive { "keep-alive" } else { "close" }
    );
    if let Some(location) = &reply.location {
        head.push_str(&format!("Location: {location}\r\n"));
    }
    if reply.allow {
        head.push_str("Allow: GET, HEAD\r\n");
    }
    head.push_str("\r\n");
    if head_only || body.is_empty() {
        return stream.write_all(head.as_bytes());
    }
    if body.len() <= 64 * 1024 {
        let mut all = head.into_bytes();
        all.extend_from_slice(body);
        return stream.write_all(&all);
    }
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_plain_paths() {
        assert_eq!(decode_path("/").as_deref(), Some("/"));
        assert_eq!(decode_path("/people/x/").as_deref(), Some("/people/x/"));
        assert_eq!(decode_path("/a%20b.pdf").as_deref(), Some("/a b.pdf"));
        assert_eq!(decode_path("/caf%C3%A9/").as_deref(), Some("/café/"));
    }

    #[test]
    fn refuses_traversal_and_odd_paths() {
        for bad in [
            "/../site.toml",
            "/%2e%2e/site.toml",
            "/%2E%2E/site.toml",
            "/%252e%252e/site.toml",
            "/..%5csite.toml",
            "/..%5Csite.toml",
            "/a\\..\\site.toml",
            "/./x",
            "/x/..",
            "//etc/passwd",
            "/a//b",
            "/x%00.html",
            "/x%0a",
            "/x%",
            "/x%4",
            "/x%zz",
            "/%ff",
            "etc/passwd",
            "C:/x",
        ] {
            assert_eq!(decode_path(bad), None, "{bad}");
        }
    }

    #[test]
    fn splits_targets() {
        assert_eq!(split_target("/a?b=1"), Some(("/a", Some("b=1"))));
        assert_eq!(split_target("http://h:1/a/"), Some(("/a/", None)));
        assert_eq!(split_target("http://h:1"), Some(("/", None)));
        assert_eq!(split_target("*"), None);
    }

    #[test]
    fn parses_heads() {
        let r = parse(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").unwrap_or_else(|s| panic!("{s}"));
        assert!(r.keep_alive && !r.has_body);
        let r = parse(b"GET / HTTP/1.0\r\n\r\n").unwrap_or_else(|s| panic!("{s}"));
        assert!(!r.keep_alive);
        let r = parse(b"POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\n")
            .unwrap_or_else(|s| panic!("{s}"));
        assert!(r.has_body);
        assert_eq!(parse(b"GET /\r\n\r\n").err(), Some(400));
        assert_eq!(parse(b"GET / HTTP/2.0\r\n\r\n").err(), Some(505));
        assert_eq!(parse(b"GET  / HTTP/1.1\r\n\r\n").err(), Some(400));
        assert_eq!(
            parse(b"GET / HTTP/1.1\r\nbad header\r\n\r\n").err(),
            Some(400)
        );
        assert_eq!(parse(b"\xff / HTTP/1.1\r\n\r\n").err(), Some(400));
    }

    #[test]
    fn finds_head_ends() {
        assert_eq!(head_end(b"GET / HTTP/1.1\r\n\r\nrest"), Some(18));
        assert_eq!(head_end(b"GET / HTTP/1.1\n\nrest"), Some(16));
        assert_eq!(head_end(b"GET / HTTP/1.1\r\nHost: x\r\n"), None);
    }

    #[test]
    fn content_types() {
        assert_eq!(
            content_type("people/x/index.html"),
            "text/html; charset=utf-8"
        );
        assert_eq!(content_type("style.css"), "text/css; charset=utf-8");
        assert_eq!(
            content_type("atom.xml"),
            "application/atom+xml; charset=utf-8"
        );
        assert_eq!(content_type("img/A.PNG"), "image/png");
        assert_eq!(content_type("LICENSE"), "application/octet-stream");
    }
}
