//! `briefing serve`: the real binary on a free port of 127.0.0.1, serving a site made by
//! `briefing init`, spoken to over plain TCP. Every wait is bounded and every server is killed
//! when its test ends (pass or fail).

mod common;
use common::{read, write, write_and_rename};

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};

use std::time::{Duration, Instant};

/// Long enough for a loaded CI machine; every wait below gives up after it.
const WAIT: Duration = Duration::from_secs(20);

/// A new site from `briefing init` in a temporary folder.
fn new_site() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("site");
    common::briefing(&[Path::new("init"), &root]).expect_code(0, "init");
    (tmp, root)
}

/// The server under test, with this file's request helpers.
use common::Serve as Server;

impl Server {
    fn get(&self, path: &str) -> Response {
        self.request(&format!(
            "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        ))
    }

    fn request(&self, raw: &str) -> Response {
        request(self.port, raw.as_bytes())
    }

    fn events(&self) -> Events {
        Events::connect(self.port)
    }
}

/// Wait for a child to exit, killing it after [`WAIT`].
fn wait_exit(child: &mut Child) -> Option<i32> {
    let started = Instant::now();
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return status.code();
        }
        if started.elapsed() > WAIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the process did not exit in time");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[derive(Debug)]
struct Response {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<String> {
        self.head.lines().skip(1).find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Send `raw` on a new connection and read the whole answer (the server closes).
fn request(port: u16, raw: &[u8]) -> Response {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream.set_read_timeout(Some(WAIT)).unwrap();
    stream.set_write_timeout(Some(WAIT)).unwrap();
    stream.write_all(raw).expect("send");
    let mut all = Vec::new();
    stream.read_to_end(&mut all).expect("read the answer");
    parse_response(&all)
}

fn parse_response(all: &[u8]) -> Response {
    let end = all
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no head in {:?}", String::from_utf8_lossy(all)));
    let head = String::from_utf8_lossy(&all[..end]).into_owned();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {head}"));
    Response {
        status,
        head,
        body: all[end + 4..].to_vec(),
    }
}

/// A live-reload event stream.
struct Events {
    reader: BufReader<TcpStream>,
}

impl Events {
    fn connect(port: u16) -> Events {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        stream
            .write_all(
                b"GET /__briefing/events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n",
            )
            .unwrap();
        stream
            .set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        let mut events = Events {
            reader: BufReader::new(stream),
        };
        let head = events.read_block(WAIT).expect("the stream's head");
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        assert!(head.contains("text/event-stream"), "{head}");
        events
    }

    /// The next block of lines up to a blank line, or `None` after `wait`.
    fn read_block(&mut self, wait: Duration) -> Option<String> {
        let deadline = Instant::now() + wait;
        let mut block = String::new();
        let mut line = Vec::new();
        loop {
            if Instant::now() > deadline {
                return None;
            }
            match self.reader.read_until(b'\n', &mut line) {
                Ok(0) => return None,
                Ok(_) => {
                    if !line.ends_with(b"\n") {
                        continue;
                    }
                    let text = String::from_utf8_lossy(&line).into_owned();
                    line.clear();
                    let text = text.trim_end_matches(['\r', '\n']);
                    if text.is_empty() {
                        if block.is_empty() {
                            continue;
                        }
                        return Some(block);
                    }
                    block.push_str(text);
                    block.push('\n');
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(e) => panic!("event stream: {e}"),
            }
        }
    }

    /// The next event (name, JSON data), skipping comments and `retry:`.
    fn next(&mut self, wait: Duration) -> Option<(String, serde_json::Value)> {
        let deadline = Instant::now() + wait;
        loop {
            let block = self.read_block(deadline.saturating_duration_since(Instant::now()))?;
            let mut name = None;
            let mut data = None;
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("event: ") {
                    name = Some(v.to_string());
                } else if let Some(v) = line.strip_prefix("data: ") {
                    data = Some(serde_json::from_str(v).expect("JSON data"));
                }
            }
            if let (Some(name), Some(data)) = (name, data) {
                return Some((name, data));
            }
        }
    }

    fn expect(&mut self, name: &str) -> serde_json::Value {
        match self.next(WAIT) {
            Some((got, data)) if got == name => data,
            other => panic!("expected a `{name}` event, got {other:?}"),
        }
    }

    /// No event within `wait`.
    fn expect_none(&mut self, wait: Duration) {
        if let Some(event) = self.next(wait) {
            panic!("expected no event, got {event:?}");
        }
    }
}

const JANE: &str = "content/people/jane-doe.yaml";

#[test]
fn serve_answers_pages_types_and_errors_from_memory() {
    let (_tmp, root) = new_site();
    let server = Server::start(&root, &[], WAIT);

    let home = server.get("/");
    assert_eq!(home.status, 200, "{}", home.head);
    assert_eq!(
        home.header("content-type").as_deref(),
        Some("text/html; charset=utf-8")
    );
    assert!(
        home.text().contains("/__briefing/events"),
        "no reload script"
    );
    assert!(home.text().contains("My Briefing"));
    assert!(!home.text().contains("__BRIEFING_SERVE_VERSION__"));

    let css = server.get("/style.css");
    assert_eq!(css.status, 200);
    assert_eq!(
        css.header("content-type").as_deref(),
        Some("text/css; charset=utf-8")
    );
    let js = server.get("/briefing.js");
    assert_eq!(
        js.header("content-type").as_deref(),
        Some("text/javascript; charset=utf-8")
    );
    let feed = server.get("/atom.xml");
    assert_eq!(feed.status, 200);
    assert!(
        feed.text().contains("http://127.0.0.1:"),
        "feeds use the served URL"
    );
    assert_eq!(
        server
            .get("/search/index.js")
            .header("content-type")
            .as_deref(),
        Some("text/javascript; charset=utf-8"),
        "the search index is scripts"
    );

    // Folder addresses serve index.html; without the slash they redirect.
    let person = server.get("/people/jane-doe/");
    assert_eq!(person.status, 200);
    assert!(person.text().contains("Jane Doe"));
    let bare = server.get("/people/jane-doe");
    assert_eq!(bare.status, 302);
    assert_eq!(
        bare.header("location").as_deref(),
        Some("/people/jane-doe/")
    );
    let with_query = server.get("/people/jane-doe?x=1");
    assert_eq!(
        with_query.header("location").as_deref(),
        Some("/people/jane-doe/?x=1")
    );
    assert_eq!(server.get("/people/jane-doe/?x=1").status, 200);

    // A missing page: status 404, the site's own not-found page.
    let not_found_page = server.get("/404.html");
    assert_eq!(not_found_page.status, 200);
    let missing = server.get("/people/nobody/");
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.header("content-type").as_deref(),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(missing.body, not_found_page.body);
    assert_eq!(server.get("/__briefing/other").status, 404);

    // HEAD: the same head, no body.
    let head = server.request("HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(
        head.header("content-length"),
        Some(home.body.len().to_string())
    );

    // Only GET and HEAD.
    for method in ["POST", "PUT", "DELETE", "OPTIONS", "PATCH"] {
        let r = server.request(&format!(
            "{method} / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi"
        ));
        assert_eq!(r.status, 405, "{method}");
        assert_eq!(r.header("allow").as_deref(), Some("GET, HEAD"));
    }

    // Nothing outside the site can be read.
    for target in [
        "/../site.toml",
        "/%2e%2e/site.toml",
        "/%2E%2E/%2E%2E/etc/passwd",
        "/%252e%252e/",
        "/%252e%252e/site.toml",
        "/..%5csite.toml",
        "/..\\site.toml",
        "/..%2fsite.toml",
        "//etc/passwd",
        "/etc/passwd",
        "/site.toml",
        "/content/people/jane-doe.yaml",
        "/style.css%00.html",
        "/%",
        "/%zz",
        "C:\\site.toml",
        "*",
    ] {
        let r = server.request(&format!(
            "GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        ));
        assert!(r.status == 400 || r.status == 404, "{target}: {}", r.status);
        let text = r.text();
        assert!(
            !text.contains("base_url") && !text.contains("root:"),
            "{target} leaked a file"
        );
    }

    // Malformed requests.
    for raw in [
        "GARBAGE\r\n\r\n",
        "GET /\r\n\r\n",
        "GET / HTTP/9.9\r\n\r\n",
        "GET / HTTP/1.1\r\nno colon here\r\n\r\n",
    ] {
        let r = server.request(raw);
        assert!(r.status == 400 || r.status == 505, "{raw:?}: {}", r.status);
    }

    // Keep-alive: two requests on one connection.
    let mut stream = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    stream.set_read_timeout(Some(WAIT)).unwrap();
    stream
        .write_all(
            b"GET /robots.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /robots.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        )
        .unwrap();
    let mut all = Vec::new();
    stream.read_to_end(&mut all).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&all)
            .matches("HTTP/1.1 200 OK")
            .count(),
        2
    );

    // Nothing was written: no output folder.
    assert!(
        !root.join("public").exists(),
        "serve wrote the output folder"
    );
}

#[test]
fn serve_reloads_on_edit_shows_errors_and_recovers() {
    let (_tmp, root) = new_site();
    let server = Server::start(&root, &[], WAIT);
    let mut events = server.events();
    let hello = events.expect("hello");
    assert_eq!(hello["errors"], serde_json::Value::Null);
    let first_version = hello["version"].as_str().unwrap().to_string();
    let page = server.get("/people/jane-doe/");
    assert!(
        page.text()
            .contains(&format!("var version = \"{first_version}\"")),
        "the page carries the version the hello names"
    );

    // An edit: one reload, and the page shows it.
    let jane = read(&root, JANE);
    let edited = jane.replace("Chair of the", "Long-serving chair of the");
    assert_ne!(jane, edited);
    write(&root, JANE, &edited);
    let reload = events.expect("reload");
    assert_eq!(reload["css_only"], false);
    assert_eq!(reload["errors"], serde_json::Value::Null);
    assert_ne!(reload["version"], hello["version"]);
    assert!(
        server
            .get("/people/jane-doe/")
            .text()
            .contains("Long-serving")
    );

    // Broken: the diagnostics go to the page and the terminal, the old page is still served.
    let broken = edited.replace("name: Jane Doe", "name: [Jane Doe");
    write_and_rename(&root, JANE, &broken);
    let errors = events.expect("errors");
    let text = errors["errors"].as_str().expect("diagnostics text");
    let at_value = text.lines().any(|l| {
        l.strip_prefix("content/people/jane-doe.yaml:")
            .and_then(|rest| rest.split_once(": error: "))
            .is_some_and(|(pos, _)| {
                let mut parts = pos.split(':');
                parts.next().is_some_and(|n| n.parse::<u32>().is_ok())
                    && parts.next().is_some_and(|n| n.parse::<u32>().is_ok())
            })
    });
    assert!(
        at_value,
        "diagnostics name the file, line and column: {text}"
    );
    let check = common::briefing(&[Path::new("check"), Path::new("--root"), &root]);
    check.expect_code(1, "check of the broken site");
    let check_lines: Vec<&str> = check
        .stderr
        .lines()
        .filter(|l| l.contains(": error: "))
        .collect();
    assert!(!check_lines.is_empty());
    for line in &check_lines {
        assert!(text.contains(line), "event lacks `{line}`:\n{text}");
    }
    let old = server.get("/people/jane-doe/");
    assert_eq!(old.status, 200);
    assert!(old.text().contains("Long-serving"), "the last good page");
    // A page opened now learns of the errors at once.
    let mut late = server.events();
    let late_hello = late.expect("hello");
    assert_eq!(late_hello["errors"].as_str(), Some(text));
    let started = Instant::now();
    while !check_lines.iter().all(|l| server.stderr().contains(l)) {
        assert!(started.elapsed() < WAIT, "terminal: {}", server.stderr());
        std::thread::sleep(Duration::from_millis(20));
    }

    // Fixed: a reload with no errors, on both streams.
    write(
        &root,
        JANE,
        &jane.replace("Chair of the", "Former chair of the"),
    );
    let reload = events.expect("reload");
    assert_eq!(reload["errors"], serde_json::Value::Null);
    assert_eq!(late.expect("reload")["errors"], serde_json::Value::Null);
    assert!(
        server
            .get("/people/jane-doe/")
            .text()
            .contains("Former chair")
    );

    // A new article appears; deleted, its page is not found.
    write(
        &root,
        "content/articles/extra-note.md",
        "---\ntitle: An extra note\nsource: Example Daily\npublished: 2024-03-06\nlanguage: en\n---\nA short note.\n",
    );
    events.expect("reload");
    let article = server.get("/articles/extra-note/");
    assert_eq!(article.status, 200);
    assert!(article.text().contains("An extra note"));
    std::fs::remove_file(root.join("content/articles/extra-note.md")).unwrap();
    events.expect("reload");
    let gone = server.get("/articles/extra-note/");
    assert_eq!(gone.status, 404);
    assert_eq!(gone.body, server.get("/404.html").body);

    assert!(
        !root.join("public").exists(),
        "serve wrote the output folder"
    );
}

#[test]
fn serve_ignores_backup_files_and_rebuilds_once_per_burst() {
    let (_tmp, root) = new_site();
    let server = Server::start(&root, &[], WAIT);
    let mut events = server.events();
    events.expect("hello");

    // Swap, backup and hidden files change nothing.
    write(&root, "content/people/.jane-doe.yaml.swp", "swap");
    write(&root, "content/people/jane-doe.yaml~", "backup");
    write(&root, "content/people/#jane-doe.yaml#", "autosave");
    write(&root, ".site.toml.swp", "swap");
    write(&root, "README.md", "not an input");
    events.expect_none(Duration::from_millis(600));

    // A burst of saves (like "save all" or a checkout): one rebuild.
    for i in 0..5 {
        write(
            &root,
            &format!("content/people/person-{i}.yaml"),
            &format!("name: Person {i}\n"),
        );
    }
    write(
        &root,
        JANE,
        &read(&root, JANE).replace("Chair of", "Head of"),
    );
    events.expect("reload");
    events.expect_none(Duration::from_millis(600));
    assert_eq!(server.get("/people/person-4/").status, 200);
    assert!(server.get("/people/jane-doe/").text().contains("Head of"));

    // A stylesheet alone: the event says so. `static/` did not exist when serving started.
    write(&root, "static/custom.css", "body { color: black }\n");
    let reload = events.expect("reload");
    assert_eq!(reload["css_only"], true, "{reload}");
    write(&root, "static/custom.css", "body { color: navy }\n");
    let reload = events.expect("reload");
    assert_eq!(reload["css_only"], true, "{reload}");
    assert!(server.get("/custom.css").text().contains("navy"));
    // The page that skipped a reload for the stylesheet is still current.
    let home = server.get("/");
    let version = reload["version"].as_str().unwrap();
    assert!(
        home.text()
            .contains(&format!("var version = \"{version}\""))
    );
}

#[test]
fn serve_honours_the_base_url_path() {
    let (_tmp, root) = new_site();
    let config = read(&root, "site.toml").replace(
        "base_url = \"https://example.org/\"",
        "base_url = \"https://example.org/briefing/\"",
    );
    write(&root, "site.toml", &config);
    let server = Server::start(&root, &[], WAIT);
    assert!(
        server.stderr().contains("/briefing/; press Ctrl-C"),
        "{}",
        server.stderr()
    );
    let home = server.get("/briefing/");
    assert_eq!(home.status, 200);
    assert!(
        home.text().contains("href=\"/briefing/people/"),
        "links rooted at the path"
    );
    let bare = server.get("/briefing");
    assert_eq!(bare.status, 302);
    assert_eq!(bare.header("location").as_deref(), Some("/briefing/"));
    assert_eq!(server.get("/briefing/people/jane-doe/").status, 200);
    for outside in ["/", "/people/jane-doe/", "/style.css", "/briefingx/"] {
        let r = server.get(outside);
        assert_eq!(r.status, 404, "{outside}");
    }
    assert_eq!(
        server.get("/nothing/").body,
        server.get("/briefing/404.html").body
    );
}

#[test]
fn serve_starts_on_a_broken_site_and_recovers() {
    let (_tmp, root) = new_site();
    let jane = read(&root, JANE);
    write(&root, JANE, "name: [broken\n");
    let server = Server::start(&root, &[], WAIT);
    assert!(server.stderr().contains("content/people/jane-doe.yaml:1:"));
    let page = server.get("/");
    assert_eq!(page.status, 503);
    assert!(page.text().contains("content/people/jane-doe.yaml:1:"));
    assert!(page.text().contains("/__briefing/events"));
    let mut events = server.events();
    let hello = events.expect("hello");
    assert!(hello["errors"].as_str().unwrap().contains("jane-doe.yaml"));
    write(&root, JANE, &jane);
    events.expect("reload");
    assert_eq!(server.get("/").status, 200);
}

#[test]
fn serve_survives_bad_and_slow_clients() {
    let (_tmp, root) = new_site();
    let server = Server::start(&root, &[], WAIT);

    // Slow clients that never finish their request.
    let mut slow: Vec<TcpStream> = (0..40)
        .map(|_| {
            let mut s = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
            s.write_all(b"GET / HTTP/1.1\r\nHost:").unwrap();
            s
        })
        .collect();

    // A 1 MB request line: refused, the connection closed.
    let mut big = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    big.set_read_timeout(Some(WAIT)).unwrap();
    big.set_write_timeout(Some(WAIT)).unwrap();
    let line = format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(1 << 20));
    let _ = big.write_all(line.as_bytes());
    let mut answer = Vec::new();
    let _ = big.read_to_end(&mut answer);
    if !answer.is_empty() {
        assert_eq!(parse_response(&answer).status, 431);
    }

    // A client that goes away in the middle of a response.
    for _ in 0..5 {
        let mut s = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
        s.write_all(b"GET /style.css HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        let mut one = [0u8; 1];
        let _ = s.read(&mut one);
        drop(s);
    }
    // A client that sends garbage bytes and closes.
    {
        let mut s = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
        let _ = s.write_all(&[0, 159, 146, 150, 13, 10, 13, 10]);
    }
    // Event streams that are opened and dropped.
    for _ in 0..5 {
        drop(server.events());
    }

    // Many clients at once, all served while the slow ones wait.
    let port = server.port;
    let started = Instant::now();
    let workers: Vec<_> = (0..16)
        .map(|_| {
            std::thread::spawn(move || {
                for _ in 0..10 {
                    let r = request(
                        port,
                        b"GET /people/jane-doe/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                    );
                    assert_eq!(r.status, 200);
                }
            })
        })
        .collect();
    for w in workers {
        w.join().expect("a client thread");
    }
    assert!(started.elapsed() < WAIT);
    for s in &mut slow {
        let _ = s.write_all(b" x\r\n\r\n");
    }
    drop(slow);
    assert_eq!(server.get("/").status, 200);
}

#[test]
fn serve_port_in_use_is_exit_2() {
    let (_tmp, root) = new_site();
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let run = common::briefing(&[
        Path::new("serve"),
        Path::new("--root"),
        &root,
        Path::new("--port"),
        Path::new(&port),
    ]);
    run.expect_code(2, "serve on a taken port");
    assert!(run.stderr.contains("in use"), "{}", run.stderr);
    assert!(run.stderr.contains(&port), "{}", run.stderr);
    drop(taken);

    let bad = common::briefing(&["serve", "--port", "http"]);
    bad.expect_code(2, "a bad port");
    let bad = common::briefing(&["serve", "--bind", "nowhere"]);
    bad.expect_code(2, "a bad address");
    let tmp = tempfile::tempdir().unwrap();
    let none = common::briefing(&[Path::new("serve"), Path::new("--root"), tmp.path()]);
    none.expect_code(2, "no site");
    assert!(none.stderr.contains("site.toml"), "{}", none.stderr);
}

#[cfg(unix)]
#[test]
fn serve_stops_cleanly_on_ctrl_c() {
    let (_tmp, root) = new_site();
    let mut server = Server::start(&root, &[], WAIT);
    assert_eq!(server.get("/").status, 200);
    let pid = server.child.id().to_string();
    let sent = Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .expect("kill runs");
    assert!(sent.success());
    assert_eq!(wait_exit(&mut server.child), Some(0), "{}", server.stderr());
}

/// Every file of `dir`, by path relative to it.
fn files_under(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((rel, std::fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// The served bytes of a page, without the live-reload script that only served pages carry.
fn without_reload_script(body: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(body).into_owned();
    let Some(start) = text.find("<script>/* briefing serve: live reload */") else {
        return body.to_vec();
    };
    let end = text[start..]
        .find("</script>")
        .map(|i| start + i + "</script>".len())
        .unwrap();
    // The script is inserted with its own line end.
    let rest = text[end..].strip_prefix('\n').unwrap_or(&text[end..]);
    format!("{}{}", &text[..start], rest).into_bytes()
}

#[test]
fn after_a_series_of_edits_serve_serves_what_a_full_build_writes() {
    let (tmp, root) = new_site();
    let server = Server::start(&root, &[], WAIT);
    let mut events = server.events();
    events.expect("hello");
    // Give a person an alias (mentions change on other pages), rename an article and update
    // the citations of it, add an organization.
    let person = read(&root, "content/people/jane-doe.yaml")
        .replace("name: Jane Doe", "name: Jane Doe\naliases: [Chair Doe]");
    write(&root, "content/people/jane-doe.yaml", &person);
    events.expect("reload");
    std::fs::rename(
        root.join("content/articles/example-report.md"),
        root.join("content/articles/example-report-2024.md"),
    )
    .unwrap();
    for rel in [
        "content/meetings/example-meeting.yaml",
        "content/people/jane-doe.yaml",
    ] {
        let text = read(&root, rel)
            .replace("example-report#", "example-report-2024#")
            .replace("[example-report]", "[example-report-2024]");
        write(&root, rel, &text);
    }
    let topic = read(&root, "content/topics/example-reform.yaml")
        .replace("example-report#", "example-report-2024#");
    write(&root, "content/topics/example-reform.yaml", &topic);
    let errors_or_reload = events.next(WAIT).expect("an event after the rename");
    assert!(
        matches!(errors_or_reload.0.as_str(), "reload" | "errors"),
        "{errors_or_reload:?}"
    );
    write(
        &root,
        "content/organizations/second-office.yaml",
        "name: Second Office\nsummary: Added while serving.\n",
    );
    // Let the last burst settle into a good build.
    let deadline = Instant::now() + WAIT;
    loop {
        match events.next(Duration::from_millis(600)) {
            Some((name, data)) if name == "reload" && data["errors"].is_null() => continue,
            Some(_) => continue,
            None if server.get("/organizations/second-office/").status == 200 => break,
            None => assert!(
                Instant::now() < deadline,
                "no good build after the edits:\n{}",
                server.stderr()
            ),
        }
    }

    let out = tmp.path().join("full");
    common::build_as_served(&root, &out, server.port);
    let built = files_under(&out);
    assert!(
        built
            .iter()
            .any(|(p, _)| p == "organizations/second-office/index.html")
    );
    for (path, bytes) in built.iter().filter(|(p, _)| !p.starts_with(".briefing")) {
        let response = server.get(&format!("/{path}"));
        assert_eq!(response.status, 200, "/{path}");
        let served = if path.ends_with(".html") {
            without_reload_script(&response.body)
        } else {
            response.body.clone()
        };
        assert!(
            served == *bytes,
            "/{path} differs between serve and a full build:\n--- served\n{}\n--- built\n{}",
            String::from_utf8_lossy(&served),
            String::from_utf8_lossy(bytes)
        );
    }
}
