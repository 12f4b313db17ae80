//! `briefing serve` under load and attack, on 127.0.0.1 only: 200 concurrent clients making
//! 20,000 requests while the site is saved every 100 ms and bad clients misbehave beside them;
//! 1,000 saves in a row with the server's memory measured before and after; and every way of
//! asking for a file outside the site refused. Every wait is bounded and every server is killed
//! when its test ends.

mod common;
use common::{read, write, write_and_rename};

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Longest any single wait may take.
const WAIT: Duration = Duration::from_secs(30);
const JANE: &str = "content/people/jane-doe.yaml";

fn new_site() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("site");
    common::briefing(&[Path::new("init"), &root]).expect_code(0, "init");
    (tmp, root)
}

/// The server under test, with this file's helpers.
use common::Serve as Server;

impl Server {
    /// Resident memory of the server process, in KiB, from /proc.
    fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("/proc/<pid>/status");
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .expect("VmRSS")
    }

    fn get(&self, path: &str) -> Response {
        let mut client = Client::connect(self.port);
        client.get(path, false).expect("an answer")
    }

    /// Wait until `path` answers 200 with a body holding `text`.
    fn wait_for(&self, path: &str, text: &str) -> Response {
        let started = Instant::now();
        loop {
            let r = self.get(path);
            if r.status == 200 && String::from_utf8_lossy(&r.body).contains(text) {
                return r;
            }
            assert!(
                started.elapsed() < WAIT,
                "{path} never showed {text:?}:\n{}",
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

#[derive(Debug)]
struct Response {
    status: u16,
    body: Vec<u8>,
}

/// A keep-alive HTTP/1.1 client that reads each answer by its Content-Length.
struct Client {
    reader: BufReader<TcpStream>,
}

impl Client {
    fn connect(port: u16) -> Client {
        let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        stream.set_read_timeout(Some(WAIT)).unwrap();
        stream.set_write_timeout(Some(WAIT)).unwrap();
        Client {
            reader: BufReader::new(stream),
        }
    }

    /// One request; `Err` says what was wrong with the answer.
    fn get(&mut self, path: &str, keep_alive: bool) -> Result<Response, String> {
        let connection = if keep_alive { "keep-alive" } else { "close" };
        let request = format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: {connection}\r\n\r\n");
        self.send(request.as_bytes())
    }

    fn send(&mut self, raw: &[u8]) -> Result<Response, String> {
        self.reader
            .get_mut()
            .write_all(raw)
            .map_err(|e| format!("send: {e}"))?;
        let mut status_line = String::new();
        self.reader
            .read_line(&mut status_line)
            .map_err(|e| format!("status line: {e}"))?;
        let status: u16 = status_line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("bad status line {status_line:?}"))?;
        let mut length = None;
        loop {
            let mut line = String::new();
            self.reader
                .read_line(&mut line)
                .map_err(|e| format!("header: {e}"))?;
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse::<usize>().ok();
            }
        }
        let length = length.ok_or("no Content-Length")?;
        let mut body = vec![0; length];
        self.reader
            .read_exact(&mut body)
            .map_err(|e| format!("body of {length} bytes: {e}"))?;
        Ok(Response { status, body })
    }
}

/// The live-reload event stream.
struct EventStream {
    reader: BufReader<TcpStream>,
}

impl EventStream {
    fn connect(port: u16) -> EventStream {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        stream
            .write_all(b"GET /__briefing/events HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        stream
            .set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        EventStream {
            reader: BufReader::new(stream),
        }
    }

    /// Count `reload` events until none has come for `quiet` (at most [`WAIT`] in all).
    fn count_until_quiet(&mut self, quiet: Duration) -> usize {
        let started = Instant::now();
        let mut last = Instant::now();
        let mut reloads = 0;
        let mut line = Vec::new();
        while last.elapsed() < quiet || reloads == 0 {
            assert!(started.elapsed() < WAIT, "reload events never stopped");
            match self.reader.read_until(b'\n', &mut line) {
                Ok(0) => panic!("the event stream closed"),
                Ok(_) if line.ends_with(b"\n") => {
                    if line.starts_with(b"event: reload") {
                        reloads += 1;
                        last = Instant::now();
                    }
                    line.clear();
                }
                Ok(_) => {}
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(e) => panic!("event stream: {e}"),
            }
        }
        reloads
    }
}

/// Save the person page with a new summary, the way editors do (write and rename).
fn save_jane(root: &Path, original: &str, marker: &str) {
    let text = original.replace(
        "summary: Chair of the",
        &format!("summary: {marker}, chair of the"),
    );
    assert_ne!(text, original);
    write_and_rename(root, JANE, &text);
}

/// Bad clients, over and over until `stop`: slow ones holding a connection open, a 1 MB
/// request line, clients that leave in the middle of an answer, malformed requests.
fn misbehave(port: u16, stop: &AtomicBool) -> usize {
    let mut slow = Vec::new();
    let mut rounds = 0;
    let malformed: &[&[u8]] = &[
        b"\x00\x01\x02\r\n\r\n",
        b"GET\r\n\r\n",
        b"GET / HTTP/9.9\r\n\r\n",
        b"GET / HTTP/1.1\r\nNo colon here\r\n\r\n",
        b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello",
        b"GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
        b"G\xc3\x28T / HTTP/1.1\r\n\r\n",
        b"GET /%zz HTTP/1.1\r\n\r\n",
    ];
    while !stop.load(Ordering::Relaxed) {
        rounds += 1;
        if slow.len() < 20
            && let Ok(mut s) = TcpStream::connect(("127.0.0.1", port))
        {
            let _ = s.write_all(b"GET / HTTP/1.1\r\nHost:");
            slow.push(s);
        }
        if let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) {
            s.set_write_timeout(Some(Duration::from_secs(5))).unwrap();
            let line = format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(1 << 20));
            let _ = s.write_all(line.as_bytes());
        }
        if let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) {
            let _ = s.write_all(b"GET /search/index.js HTTP/1.1\r\nHost: x\r\n\r\n");
            let mut one = [0u8; 16];
            let _ = s.read(&mut one);
        }
        for raw in malformed {
            if let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) {
                s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
                let _ = s.write_all(raw);
                let mut answer = Vec::new();
                let _ = s.read_to_end(&mut answer);
                assert!(
                    answer.is_empty()
                        || answer.starts_with(b"HTTP/1.1 4")
                        || answer.starts_with(b"HTTP/1.1 5"),
                    "{:?} got {:?}",
                    String::from_utf8_lossy(raw),
                    String::from_utf8_lossy(&answer[..answer.len().min(80)])
                );
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    rounds
}

#[test]
fn two_hundred_clients_twenty_thousand_requests_with_saves_and_bad_clients() {
    const CLIENTS: usize = 200;
    const REQUESTS: usize = 20_000;
    let (_tmp, root) = new_site();
    let original = read(&root, JANE);
    let server = Server::start(&root, &[], WAIT);
    server.wait_for("/people/jane-doe/", "Jane Doe");
    let port = server.port;
    let paths = [
        ("/", 200),
        ("/people/jane-doe/", 200),
        ("/meetings/example-meeting/", 200),
        ("/articles/example-report/", 200),
        ("/style.css", 200),
        ("/search/index.js", 200),
        ("/atom.xml", 200),
        ("/no-such-page/", 404),
    ];

    let stop = Arc::new(AtomicBool::new(false));
    let saves = {
        let (stop, root, original) = (Arc::clone(&stop), root.clone(), original.clone());
        std::thread::spawn(move || {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                save_jane(&root, &original, &format!("Save {n}"));
                std::thread::sleep(Duration::from_millis(100));
            }
            n
        })
    };
    let bad = {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || misbehave(port, &stop))
    };

    let served = Arc::new(AtomicUsize::new(0));
    let failures = Arc::new(Mutex::new(Vec::<String>::new()));
    let started = Instant::now();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let (served, failures) = (Arc::clone(&served), Arc::clone(&failures));
            std::thread::Builder::new()
                .stack_size(128 * 1024)
                .spawn(move || {
                    let mut client = Client::connect(port);
                    for i in 0..REQUESTS / CLIENTS {
                        let (path, status) = paths[(c + i) % paths.len()];
                        // Every tenth request on a new connection, the rest kept alive.
                        let keep = i % 10 != 9;
                        let outcome = client.get(path, keep);
                        let failed = match &outcome {
                            Ok(r) if r.status == status && !r.body.is_empty() => {
                                served.fetch_add(1, Ordering::Relaxed);
                                false
                            }
                            Ok(r) => {
                                failures.lock().unwrap().push(format!(
                                    "{path}: {} {}",
                                    r.status,
                                    String::from_utf8_lossy(&r.body[..r.body.len().min(200)])
                                ));
                                true
                            }
                            Err(e) => {
                                failures.lock().unwrap().push(format!("{path}: {e}"));
                                true
                            }
                        };
                        if !keep || failed {
                            client = Client::connect(port);
                        }
                    }
                })
                .unwrap()
        })
        .collect();
    for c in clients {
        c.join().expect("a client thread");
    }
    let elapsed = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    let save_count = saves.join().unwrap();
    let bad_rounds = bad.join().unwrap();
    let served = served.load(Ordering::Relaxed);
    eprintln!(
        "{served} requests served by {CLIENTS} clients in {elapsed:?} ({:.0}/s), {save_count} saves, {bad_rounds} rounds of bad clients",
        served as f64 / elapsed.as_secs_f64()
    );
    let failures = failures.lock().unwrap();
    assert!(
        failures.is_empty(),
        "{} failed requests, first: {:#?}",
        failures.len(),
        &failures[..failures.len().min(10)]
    );
    assert_eq!(served, REQUESTS);
    assert!(save_count >= 3, "only {save_count} saves during the run");

    // After the last save, no page is stale: once the reload events have stopped, every page
    // served is of the last save.
    let mut events = EventStream::connect(port);
    save_jane(&root, &original, "Final save");
    let reloads = events.count_until_quiet(Duration::from_millis(1500));
    assert!(reloads >= 1, "no reload event after the last save");
    let page = server.get("/people/jane-doe/");
    assert!(
        String::from_utf8_lossy(&page.body).contains("Final save"),
        "a stale page after the last reload"
    );
    for _ in 0..20 {
        let page = server.get("/people/jane-doe/");
        let text = String::from_utf8_lossy(&page.body).into_owned();
        assert!(
            text.contains("Final save"),
            "a stale page after the last reload"
        );
    }
}

#[test]
fn a_thousand_saves_in_a_row_leave_memory_flat_and_one_correct_site() {
    let (tmp, root) = new_site();
    let original = read(&root, JANE);
    let server = Server::start(&root, &[], WAIT);
    // Warm up: a few saves and requests, so that the first measure is of a working server.
    for n in 0..5 {
        save_jane(&root, &original, &format!("Warm {n}"));
        server.wait_for("/people/jane-doe/", &format!("Warm {n}"));
    }
    let before = server.rss_kib();
    let started = Instant::now();
    for n in 0..1000 {
        save_jane(&root, &original, &format!("Rapid {n}"));
        if n % 100 == 0 {
            assert_eq!(server.get("/").status, 200);
        }
    }
    let page = server.wait_for("/people/jane-doe/", "Rapid 999,");
    eprintln!(
        "1000 saves and the last rebuild took {:?}",
        started.elapsed()
    );
    // Let any rebuild still queued finish, then measure.
    std::thread::sleep(Duration::from_millis(500));
    let after = server.rss_kib();
    eprintln!("serve RSS: {before} KiB before 1000 saves, {after} KiB after");
    assert!(
        after < before + 64 * 1024 && after < before * 3,
        "memory grew from {before} KiB to {after} KiB"
    );
    // One correct site: the served pages are those of a full build.
    let out = tmp.path().join("full");
    common::build_as_served(&root, &out, server.port);
    let built = std::fs::read_to_string(out.join("people/jane-doe/index.html")).unwrap();
    assert!(built.contains("Rapid 999,"));
    let served = String::from_utf8_lossy(&page.body).into_owned();
    let reload = served
        .find("<script>/* briefing serve: live reload */")
        .expect("the reload script");
    let end = served[reload..].find("</script>").unwrap() + reload + "</script>".len();
    let served = format!(
        "{}{}",
        &served[..reload],
        served[end..].strip_prefix('\n').unwrap_or(&served[end..])
    );
    assert_eq!(served, built, "the served page is not the built one");
    for rel in common::all_files(&out) {
        if rel.starts_with(".briefing") || rel.ends_with(".html") {
            continue;
        }
        let r = server.get(&format!("/{rel}"));
        assert_eq!(r.status, 200, "/{rel}");
        assert!(
            r.body == std::fs::read(out.join(&rel)).unwrap(),
            "/{rel} differs"
        );
    }
}

#[cfg(unix)]
#[test]
fn serve_refuses_every_way_out_of_the_site() {
    let (tmp, root) = new_site();
    write(tmp.path(), "secret.txt", "TOPSECRET outside the site\n");
    let server = Server::start(&root, &[], WAIT);
    server.wait_for("/", "Example");
    let targets = [
        "/../secret.txt",
        "/../../secret.txt",
        "/people/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/secret.txt",
        "/.%2e/secret.txt",
        "/%2e%2e%2fsecret.txt",
        "/%2e%2e%5csecret.txt",
        "/%252e%252e/secret.txt",
        "/%252e%252e%252fsecret.txt",
        "/..%2fsite%2fsite.toml",
        "/..\\secret.txt",
        "/people\\..\\..\\secret.txt",
        "/%5c..%5csecret.txt",
        "//etc/passwd",
        "/etc/passwd",
        "/%2fetc%2fpasswd",
        "/C:\\Windows\\win.ini",
        "/site.toml",
        "/content/people/jane-doe.yaml",
        "/./site.toml",
        "/%00",
        "/people/%00/",
        "/index.html%00.txt",
        "/%c0%ae%c0%ae/secret.txt",
        "/%u002e%u002e/secret.txt",
        "http://127.0.0.1/../secret.txt",
        "*",
        "..",
        "../secret.txt",
    ];
    for target in targets {
        let mut client = Client::connect(server.port);
        let answer = client.send(
            format!("GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes(),
        );
        let Ok(r) = answer else {
            continue; // the connection was closed without an answer: refused too
        };
        let body = String::from_utf8_lossy(&r.body);
        assert!(
            matches!(r.status, 400 | 404),
            "{target}: {} {body}",
            r.status
        );
        assert!(
            !body.contains("TOPSECRET"),
            "{target}: the secret was served"
        );
        assert!(
            !body.contains("base_url ="),
            "{target}: site.toml was served"
        );
        assert!(!body.contains("root:"), "{target}: /etc/passwd was served");
    }
    // A NUL byte in the raw request line.
    let mut client = Client::connect(server.port);
    if let Ok(r) = client.send(b"GET /\0../secret.txt HTTP/1.1\r\nHost: x\r\n\r\n") {
        assert_eq!(r.status, 400);
    }

    // A static file linked out of the site: the site is refused, the file never served.
    std::fs::create_dir_all(root.join("static")).unwrap();
    std::os::unix::fs::symlink(
        tmp.path().join("secret.txt"),
        root.join("static/secret.txt"),
    )
    .unwrap();
    // Touch a content file so that the server rebuilds.
    let text = read(&root, JANE);
    write(
        &root,
        JANE,
        &text.replace("Chair of the", "Still chair of the"),
    );
    // The error is reported; the last good version stays served, without the file.
    let started = Instant::now();
    while !server.stderr().contains("outside the site") {
        assert!(
            started.elapsed() < WAIT,
            "no error for the link:\n{}",
            server.stderr()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let r = server.get("/secret.txt");
    assert_eq!(r.status, 404);
    assert!(!String::from_utf8_lossy(&r.body).contains("TOPSECRET"));
}
