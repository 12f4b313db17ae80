//! `briefing serve` in a real browser: a headless Chromium, driven through `chromedriver` over
//! the W3C WebDriver HTTP API, opens pages of a site made by `briefing init`; the test then
//! edits files of the site and watches the open page follow by itself.
//!
//! After each edit the browser is only *read* (`execute/sync`): no navigation, refresh or
//! input command is sent, so whatever the page shows was done by the page's own live-reload
//! script.
//!
//! Needs `chromium` and `chromedriver` (Debian: `apt-get install chromium chromium-driver`;
//! `scripts/test.sh` installs them when run as root). Without them the test fails under CI
//! (`CI` set) and is skipped, loudly, elsewhere. Every wait is bounded, and the server,
//! chromedriver and the browser are killed when the test ends, pass or fail.

#![cfg(unix)]

mod common;
use common::{read, write, write_and_rename};

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Starting a process (server, chromedriver, browser session) may take this long.
const START: Duration = Duration::from_secs(30);
/// An edit must show in the open page within this.
const SHOW: Duration = Duration::from_secs(15);
/// One WebDriver command may take this long.
const COMMAND: Duration = Duration::from_secs(30);

/// The flags Chromium runs with: headless, as root, with nothing talking to the network.
const CHROMIUM_ARGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1024,768",
];

/// Whether we run under CI, where a missing browser is a failure rather than a skip.
fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// `name` on the `PATH`, if it is there.
fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// The browser and its driver, or `None` (after saying so loudly) when they are missing outside
/// CI. Under CI a missing one fails the test.
fn browser_tools() -> Option<(PathBuf, PathBuf)> {
    let chromium = on_path("chromium");
    let driver = on_path("chromedriver");
    if let (Some(chromium), Some(driver)) = (&chromium, &driver) {
        return Some((chromium.clone(), driver.clone()));
    }
    let missing: Vec<&str> = [("chromium", &chromium), ("chromedriver", &driver)]
        .iter()
        .filter(|(_, found)| found.is_none())
        .map(|(name, _)| *name)
        .collect();
    let message = format!(
        "{} not found on PATH: the browser test of `briefing serve` needs Chromium and \
         chromedriver (Debian: apt-get install chromium chromium-driver; scripts/test.sh \
         installs them when run as root)",
        missing.join(" and ")
    );
    if in_ci() {
        panic!("{message}");
    }
    // Straight to the standard error, past the test harness's capture, so that it is seen.
    let banner = "!".repeat(78);
    let _ = writeln!(
        std::io::stderr(),
        "\n{banner}\n!!! SKIPPED: tests/browser.rs did not run (set CI=true to make this a \
         failure).\n!!! {message}\n{banner}\n"
    );
    None
}

/// Collect a child's output on a thread.
fn collect(pipe: impl Read + Send + 'static) -> Arc<Mutex<String>> {
    let text = Arc::new(Mutex::new(String::new()));
    let sink = Arc::clone(&text);
    std::thread::spawn(move || {
        let mut lines = BufReader::new(pipe);
        let mut line = String::new();
        while matches!(lines.read_line(&mut line), Ok(n) if n > 0) {
            sink.lock().unwrap().push_str(&line);
            line.clear();
        }
    });
    text
}

/// Wait for `pattern` followed by a port number in `text`, while `child` runs.
fn wait_for_port(child: &mut Child, text: &Mutex<String>, pattern: &str, what: &str) -> u16 {
    let started = Instant::now();
    loop {
        let now = text.lock().unwrap().clone();
        if let Some(at) = now.find(pattern) {
            let digits: String = now[at + pattern.len()..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            if let Ok(port) = digits.parse() {
                return port;
            }
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{what} exited with {status} before listening:\n{now}");
        }
        assert!(
            started.elapsed() < START,
            "{what} did not start in time:\n{now}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A running `briefing serve --port 0`, killed when dropped.
use common::Serve as Server;

impl Server {
    /// The address of the site's home page.
    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }
}

/// One HTTP/1.1 exchange with chromedriver: the status and the body. The whole exchange is
/// bounded by `wait` (chromedriver keeps the connection open, so the body is read by its
/// `Content-Length`).
fn http(
    port: u16,
    method: &str,
    path: &str,
    body: Option<&Value>,
    wait: Duration,
) -> Result<(u16, String), String> {
    let what = format!("{method} {path}");
    let fail = |e: std::io::Error| format!("{what}: {e}");
    let deadline = Instant::now() + wait;
    let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(fail)?;
    stream.set_write_timeout(Some(wait)).map_err(fail)?;
    let body = body.map(Value::to_string).unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json; \
         charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).map_err(fail)?;
    let mut all = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        if let Some(end) = all.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&all[..end]).into_owned();
            let length = head.lines().find_map(|line| {
                let (name, value) = line.split_once(':')?;
                name.trim()
                    .eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse::<usize>().ok())?
            });
            if length.is_some_and(|n| all.len() >= end + 4 + n) {
                let status = head
                    .split(' ')
                    .nth(1)
                    .and_then(|s| s.parse().ok())
                    .ok_or_else(|| format!("{what}: no status in {head:?}"))?;
                let body = &all[end + 4..end + 4 + length.unwrap_or_default()];
                return Ok((status, String::from_utf8_lossy(body).into_owned()));
            }
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(format!("{what}: no whole answer within {wait:?}"));
        }
        stream.set_read_timeout(Some(left)).map_err(fail)?;
        match stream.read(&mut chunk) {
            Ok(0) => {
                return Err(format!(
                    "{what}: connection closed after {:?}",
                    String::from_utf8_lossy(&all)
                ));
            }
            Ok(n) => all.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(fail(e)),
        }
    }
}

/// chromedriver with one Chromium session; the whole process tree is killed when dropped.
struct Browser {
    driver: Child,
    port: u16,
    session: Option<String>,
    log: Arc<Mutex<String>>,
    /// The browser profile (and its config and cache folders), removed after the kill.
    profile: tempfile::TempDir,
}

impl Browser {
    fn start(chromium: &Path, chromedriver: &Path) -> Browser {
        use std::os::unix::process::CommandExt;
        let profile = tempfile::tempdir().expect("tempdir");
        let mut driver = Command::new(chromedriver)
            .arg("--port=0")
            // Crash reports and caches go to the temporary folder, not the user's.
            .env("XDG_CONFIG_HOME", profile.path().join("config"))
            .env("XDG_CACHE_HOME", profile.path().join("cache"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // Its own process group, which the browser joins: one kill ends them all.
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", chromedriver.display()));
        let log = collect(driver.stdout.take().expect("stdout is piped"));
        let errors = collect(driver.stderr.take().expect("stderr is piped"));
        let port = wait_for_port(
            &mut driver,
            &log,
            "started successfully on port ",
            "chromedriver",
        );
        let mut browser = Browser {
            driver,
            port,
            session: None,
            log,
            profile,
        };
        let mut args: Vec<String> = CHROMIUM_ARGS.iter().map(|a| a.to_string()).collect();
        args.push(format!(
            "--user-data-dir={}",
            browser.profile.path().join("data").display()
        ));
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "pageLoadStrategy": "normal",
            "timeouts": {"pageLoad": 20_000, "script": 10_000, "implicit": 0},
            "goog:chromeOptions": {"binary": chromium, "args": args},
        }}});
        let session = browser
            .call("POST", "/session", Some(&capabilities))
            .unwrap_or_else(|e| {
                panic!(
                    "no browser session: {e}\n--- chromedriver\n{}{}",
                    browser.log.lock().unwrap(),
                    errors.lock().unwrap()
                )
            });
        let id = session["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session id in {session}"));
        browser.session = Some(id.to_string());
        browser
    }

    /// A WebDriver command; its `value`, or the error it answered with.
    fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value, String> {
        self.call_within(method, path, body, COMMAND)
    }

    fn call_within(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
        wait: Duration,
    ) -> Result<Value, String> {
        let (status, text) = http(self.port, method, path, body, wait)?;
        let value: Value =
            serde_json::from_str(&text).map_err(|e| format!("{method} {path}: {e} in {text:?}"))?;
        let value = value.get("value").cloned().unwrap_or(Value::Null);
        if status == 200 {
            Ok(value)
        } else {
            Err(format!(
                "{method} {path}: {status} {}: {}",
                value["error"].as_str().unwrap_or("?"),
                value["message"].as_str().unwrap_or("")
            ))
        }
    }

    /// A command of the session.
    fn session_call(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, String> {
        let id = self.session.as_deref().expect("a session");
        self.call(method, &format!("/session/{id}{path}"), body)
    }

    /// Open `url` (only ever before an edit).
    fn open(&self, url: &str) {
        self.session_call("POST", "/url", Some(&json!({ "url": url })))
            .unwrap_or_else(|e| panic!("cannot open {url}: {e}"));
    }

    /// Run `script` (a function body) in the page and return what it returns.
    fn run(&self, script: &str) -> Result<Value, String> {
        self.session_call(
            "POST",
            "/execute/sync",
            Some(&json!({ "script": script, "args": [] })),
        )
    }

    /// Run `script` (a function body whose last argument is the callback to call with the
    /// result) and return what it passes.
    fn run_async(&self, script: &str) -> Result<Value, String> {
        self.session_call(
            "POST",
            "/execute/async",
            Some(&json!({ "script": script, "args": [] })),
        )
    }

    /// Run `script` until it returns something other than `null` or `false`, and return that;
    /// fail after [`SHOW`], showing the page.
    fn wait_for(&self, what: &str, script: &str) -> Value {
        let started = Instant::now();
        loop {
            let last = match self.run(script) {
                Ok(Value::Null | Value::Bool(false)) => None,
                Ok(value) => return value,
                Err(e) => Some(e),
            };
            if started.elapsed() > SHOW {
                let page = self
                    .run("return location.href + '\\n' + document.body.innerText")
                    .unwrap_or_else(Value::String);
                panic!(
                    "{what}: not seen within {SHOW:?} (last error: {last:?})\n--- the page\n{}",
                    page.as_str().unwrap_or_default()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Like [`Browser::run`], failing the test on an error.
    fn eval(&self, script: &str) -> Value {
        self.run(script)
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Run `script` every 100 ms until it returns something other than `null` or `false`,
    /// and return that; fail after `within`. Errors in between (the page reloading) are
    /// retried.
    fn wait_until(&self, what: &str, within: Duration, script: &str, server: &Server) -> Value {
        let started = Instant::now();
        let mut last_error: Option<String>;
        loop {
            match self.run(script) {
                Ok(Value::Null | Value::Bool(false)) => last_error = None,
                Ok(value) => return value,
                Err(e) => last_error = Some(e),
            }
            if started.elapsed() > within {
                let page = self
                    .run("return location.href + '\\n' + document.body.innerText")
                    .unwrap_or_else(Value::String);
                panic!(
                    "{what}: not seen within {within:?} (last error: {last_error:?})\n--- the page\n{}\n\
                     --- serve\n{}",
                    page.as_str().unwrap_or_default(),
                    server.stderr()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Politely first (closes the browser), bounded; then kill whatever is left.
        if let Some(id) = self.session.take() {
            let _ = self.call_within(
                "DELETE",
                &format!("/session/{id}"),
                None,
                Duration::from_secs(10),
            );
        }
        // Then kill chromedriver's process group (the browser is in it) and anything else
        // named by this browser's profile, and wait (bounded) until they are gone.
        let group = self.driver.id();
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{group}")])
            .stderr(Stdio::null())
            .status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let marker = self.profile.path().to_string_lossy().into_owned();
        let started = Instant::now();
        loop {
            let left = leftovers(group, &marker);
            if left.is_empty() {
                break;
            }
            if started.elapsed() > Duration::from_secs(10) {
                eprintln!("browser processes still there after a kill: {left:?}");
                break;
            }
            for pid in &left {
                let _ = Command::new("kill")
                    .args(["-KILL", pid])
                    .stderr(Stdio::null())
                    .status();
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// The live (not zombie) processes in process group `group` or whose command line names
/// `marker`.
fn leftovers(group: u32, marker: &str) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let pid = entry.file_name().to_string_lossy().into_owned();
        if !pid.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        // `pid (comm) state ppid pgrp ...`; comm may hold spaces, so split after its `)`.
        let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .map(|(_, rest)| rest.split_whitespace().collect())
            .unwrap_or_default();
        if fields.is_empty() || fields[0] == "Z" || fields[0] == "X" {
            continue;
        }
        let in_group = fields.get(2) == Some(&group.to_string().as_str());
        let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        if in_group || String::from_utf8_lossy(&cmdline).contains(marker) {
            out.push(pid);
        }
    }
    out
}

/// A JavaScript string literal.
fn js(text: &str) -> String {
    Value::from(text).to_string()
}

const MEETING: &str = "content/meetings/example-meeting.yaml";
const JANE: &str = "content/people/jane-doe.yaml";
const LONG: &str = "content/articles/long-read.md";
const STYLE: &str = "static/style.css";

/// An article long enough to scroll: paragraph `n` says `Paragraph n of the long read`.
fn long_article() -> String {
    let mut text = String::from(
        "---\ntitle: A long read\nsource: Example Daily\npublished: 2024-03-06\nlanguage: en\n---\n",
    );
    for n in 1..=80 {
        text.push_str(&format!(
            "Paragraph {n} of the long read. It goes on for a while so that the page is much \
             taller than the window, which is what this article is for.\n\n"
        ));
    }
    text
}

/// The theme's stylesheet with a custom property the test can read back.
fn style(marker: &str) -> String {
    let theme = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/briefing/static/style.css"),
    )
    .expect("the theme's stylesheet");
    format!("{theme}\n:root {{ --briefing-test: \"{marker}\"; }}\n")
}

/// A function (JavaScript) giving what the page says, the error overlay's text aside.
const PAGE_TEXT_FN: &str = "function () { var o = document.getElementById('__briefing-overlay'); \
    var t = document.body ? document.body.innerText : ''; \
    return o ? t.replace(o.innerText, '') : t; }";

/// A script returning what the page says.
fn page_text() -> String {
    format!("return ({PAGE_TEXT_FN})();")
}

/// One browser session, four checks in turn, each after an edit saved while a page is open:
///
/// 1. a meeting's summary edited: its open page shows the new text (it reloaded itself);
/// 2. a long article scrolled down, then edited: after the reload the page is where it was,
///    with the browser's own scroll restoring and without it;
/// 3. a person's YAML broken: the page shows the error overlay with the `path:line:column`
///    lines `briefing check` gives, over the last good page (not reloaded); fixed, the overlay
///    goes;
/// 4. only `static/style.css` edited: the new style applies without a reload (a variable set
///    on `window` before the edit is still there).
#[test]
fn browser_follows_edits_without_being_told() {
    let Some((chromium, chromedriver)) = browser_tools() else {
        return;
    };
    let started = Instant::now();
    let step = |what: &str| eprintln!("browser: {:>6.2?} {what}", started.elapsed());

    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("site");
    common::briefing(&[Path::new("init"), &root]).expect_code(0, "init");
    write(&root, LONG, &long_article());
    write(&root, STYLE, &style("one"));
    let server = Server::start(&root, &[], START);
    let browser = Browser::start(&chromium, &chromedriver);
    step("server and browser started");

    // 1. An edit to a meeting shows in the page that is open on it.
    let meeting_url = format!("{}meetings/example-meeting/", server.url());
    browser.open(&meeting_url);
    let text = browser.eval(&page_text());
    let text = text.as_str().unwrap_or_default();
    assert!(
        text.contains("Jane Doe presented the reform plan."),
        "the meeting page before the edit:\n{text}"
    );
    browser.eval("window.__briefingTest = 'before the edit'; return true;");
    let meeting = read(&root, MEETING);
    let edited = meeting.replace("presented the", "withdrew the");
    assert_ne!(meeting, edited);
    write_and_rename(&root, MEETING, &edited);
    browser.wait_until(
        "the edited meeting summary",
        SHOW,
        &format!(
            "return ({PAGE_TEXT_FN})().indexOf({}) >= 0;",
            js("Jane Doe withdrew the reform plan.")
        ),
        &server,
    );
    let after = browser.eval(
        "return {href: location.href, marker: window.__briefingTest === undefined, \
         text: document.body.innerText};",
    );
    assert_eq!(after["href"], meeting_url.as_str(), "the page stayed put");
    assert_eq!(
        after["marker"], true,
        "the page reloaded itself (its window state is new)"
    );
    assert!(
        !after["text"]
            .as_str()
            .unwrap_or_default()
            .contains("presented the reform plan"),
        "the old summary is gone"
    );
    step("a meeting edit showed");

    // 2. The scroll position survives the reload: with the browser's own restoring of it on
    //    reload, and without (`manual`), when only the page's script can put it back.
    browser.open(&format!("{}articles/long-read/", server.url()));
    for (restoration, word) in [("auto", "edit"), ("manual", "text")] {
        let scrolled = browser.eval(&format!(
            "history.scrollRestoration = '{restoration}'; window.scrollTo(0, 1800); \
             window.__briefingTest = 'before the edit'; \
             return {{y: window.scrollY, height: document.documentElement.scrollHeight, \
             window: window.innerHeight}};"
        ));
        let before = scrolled["y"].as_f64().expect("scrollY");
        assert!(
            before > 1000.0,
            "the page is not long enough to scroll: {scrolled}"
        );
        // Same length, so that nothing above the scroll position moves.
        let edited = format!("Paragraph 40 of the long {word}");
        write_and_rename(
            &root,
            LONG,
            &long_article().replace("Paragraph 40 of the long read", &edited),
        );
        browser.wait_until(
            &format!("the edited paragraph ({restoration})"),
            SHOW,
            &format!(
                "var p = document.getElementById('p40'); \
                 return !!p && p.textContent.indexOf({}) >= 0 \
                 && window.__briefingTest === undefined;",
                js(&edited)
            ),
            &server,
        );
        let kept = format!(
            "return document.readyState === 'complete' \
             && history.scrollRestoration === '{restoration}' \
             && Math.abs(window.scrollY - {before}) <= 2 && window.scrollY;"
        );
        let restored = browser.wait_until(
            &format!("the scroll position restored ({restoration})"),
            SHOW,
            &kept,
            &server,
        );
        // And it stays there.
        std::thread::sleep(Duration::from_millis(300));
        let settled = browser.eval(&kept);
        assert_eq!(
            settled, restored,
            "the scroll position moved after it was restored ({restoration})"
        );
        step(&format!(
            "scroll position kept ({restoration}): {before} then {restored}"
        ));
    }

    // 3. A broken file: the diagnostics over the last good page; fixed, they go.
    browser.eval("window.__briefingTest = 'before the error'; return true;");
    let jane = read(&root, JANE);
    let broken = jane.replace("name: Jane Doe", "name: [Jane Doe");
    assert_ne!(jane, broken);
    write_and_rename(&root, JANE, &broken);
    let check = common::briefing(&[Path::new("check"), Path::new("--root"), &root]);
    check.expect_code(1, "check of the broken site");
    let errors: Vec<&str> = check
        .stderr
        .lines()
        .filter(|l| l.starts_with("content/people/jane-doe.yaml:") && l.contains(": error: "))
        .collect();
    assert!(
        !errors.is_empty(),
        "check found no error:\n{}",
        check.stderr
    );
    for line in &errors {
        // `path:line:column: error: ...`
        let position = line
            .strip_prefix("content/people/jane-doe.yaml:")
            .and_then(|rest| rest.split_once(": error: "))
            .map(|(pos, _)| pos)
            .unwrap_or_default();
        let numbers: Vec<&str> = position.split(':').collect();
        assert!(
            numbers.len() == 2 && numbers.iter().all(|n| n.parse::<u32>().is_ok()),
            "not path:line:column: {line}"
        );
    }
    let overlay = browser.wait_until(
        "the error overlay",
        SHOW,
        "var o = document.getElementById('__briefing-overlay'); return o && o.innerText;",
        &server,
    );
    let overlay = overlay.as_str().unwrap_or_default();
    for line in &errors {
        assert!(
            overlay.contains(line),
            "the overlay lacks `{line}`:\n{overlay}"
        );
    }
    let under = browser.eval(&format!(
        "return {{marker: window.__briefingTest, text: ({PAGE_TEXT_FN})(), \
         p40: document.getElementById('p40') && document.getElementById('p40').textContent}};"
    ));
    assert_eq!(
        under["marker"], "before the error",
        "the page did not reload on the error"
    );
    assert!(
        under["p40"]
            .as_str()
            .unwrap_or_default()
            .contains("Paragraph 40 of the long text"),
        "the last good page is still there: {under}"
    );
    assert!(
        under["text"]
            .as_str()
            .unwrap_or_default()
            .contains("A long read"),
        "the last good page is still there: {under}"
    );
    step("the error overlay showed");
    write_and_rename(&root, JANE, &jane);
    browser.wait_until(
        "the overlay gone",
        SHOW,
        "return document.readyState === 'complete' && \
         !document.getElementById('__briefing-overlay') && !!document.getElementById('p40');",
        &server,
    );
    let fixed = browser.eval(&page_text());
    assert!(
        fixed
            .as_str()
            .unwrap_or_default()
            .contains("Paragraph 40 of the long text"),
        "the page after the fix: {fixed}"
    );
    step("the overlay went when fixed");

    // 4. A stylesheet alone is swapped in place: no reload.
    browser.wait_until(
        "the first stylesheet",
        SHOW,
        "return getComputedStyle(document.documentElement)\
         .getPropertyValue('--briefing-test').trim() === '\"one\"';",
        &server,
    );
    browser.eval("window.__briefingTest = 'kept'; return true;");
    write_and_rename(&root, STYLE, &style("two"));
    browser.wait_until(
        "the new stylesheet",
        SHOW,
        "return getComputedStyle(document.documentElement)\
         .getPropertyValue('--briefing-test').trim() === '\"two\"';",
        &server,
    );
    let swapped = browser.eval(
        "return {marker: window.__briefingTest, \
         links: Array.prototype.map.call(document.querySelectorAll('link[rel~=stylesheet]'), \
         function (l) { return l.getAttribute('href'); })};",
    );
    assert_eq!(
        swapped["marker"], "kept",
        "a stylesheet edit must not reload the page"
    );
    assert!(
        swapped["links"].as_array().is_some_and(|l| l
            .iter()
            .any(|h| h.as_str().is_some_and(|h| h.contains("__briefing=")))),
        "the stylesheet was re-linked: {swapped}"
    );
    step("the stylesheet was swapped without a reload");

    drop(browser);
    drop(server);
    step("done");
}

/// axe-core's `axe.min.js`: `BRIEFING_AXE`, or where `scripts/test.sh` installs it. Missing, it
/// fails the test under CI and skips the accessibility checks (loudly) elsewhere.
fn axe_source() -> Option<String> {
    let path = std::env::var_os("BRIEFING_AXE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("axe-core/node_modules/axe-core/axe.min.js")
        });
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(e) => {
            let message = format!(
                "axe-core not found at {} ({e}): scripts/test.sh installs it with npm",
                path.display()
            );
            if in_ci() {
                panic!("{message}");
            }
            let _ = writeln!(
                std::io::stderr(),
                "\n!!! SKIPPED: accessibility checks: {message}\n"
            );
            None
        }
    }
}

/// What one site is expected to show.
struct Expect {
    /// Site folder.
    root: PathBuf,
    /// Path part of its `base_url`.
    base: &'static str,
    /// An English query and a word form it must mark in some result.
    english: (&'static str, &'static str),
    /// A Chinese query, the title of the person it finds, and a paragraph result (address
    /// ending) where the marked words are.
    chinese: (&'static str, &'static str, &'static str),
    /// A source and a year to filter the English query by.
    source: &'static str,
    year: &'static str,
    /// A page with a quoted citation, and the quoted words.
    cite_page: &'static str,
    quote: &'static str,
    /// A page with a link to a person, the person's address and words of their summary.
    person_page: &'static str,
    person: &'static str,
    summary: &'static str,
    /// One page of each kind, for axe.
    pages: &'static [&'static str],
}

/// Address of `path` (site-relative, `` or ending in `/`) under `base`.
fn address(base: &str, path: &str, offline: bool) -> String {
    if offline && (path.is_empty() || path.ends_with('/')) {
        format!("{base}{path}index.html")
    } else {
        format!("{base}{path}")
    }
}

/// Search results of the search page, once it has settled: `[{kind, title, href, marks}]`.
const RESULTS: &str = "var s = document.getElementById('search-status'); \
    if (!s || !s.textContent || s.textContent === 'Searching…') return null; \
    return Array.prototype.map.call(document.querySelectorAll('#search-results li.result'), function (li) { \
      var a = li.querySelector('a'); \
      return {kind: li.closest('section').getAttribute('data-kind'), title: a.textContent, href: a.href, \
        marks: Array.prototype.map.call(li.querySelectorAll('mark'), function (m) { return m.textContent; })}; });";

fn search(browser: &Browser, base: &str, query: &str, offline: bool) -> Vec<Value> {
    browser.open(&format!("{}?{query}", address(base, "search/", offline)));
    let results = browser.wait_for(&format!("results of {query}"), RESULTS);
    results.as_array().cloned().unwrap_or_default()
}

/// Search, previews and keyboard use on one site, served (`offline` false) or from disk.
fn check_reader_features(browser: &Browser, base: &str, x: &Expect, offline: bool) {
    let (query, form) = x.english;
    let found = search(browser, base, &format!("q={query}"), offline);
    assert!(
        found.iter().any(|r| r["marks"].as_array().is_some_and(|m| m
            .iter()
            .any(|m| m.as_str().is_some_and(|m| m.eq_ignore_ascii_case(form))))),
        "`{query}` marks `{form}` in some result ({base}): {found:#?}"
    );
    let kinds: Vec<&str> = found.iter().filter_map(|r| r["kind"].as_str()).collect();
    let mut groups = kinds.clone();
    groups.dedup();
    let order = ["meeting", "person", "topic", "organization", "article"];
    assert!(
        groups
            .windows(2)
            .all(|w| order.iter().position(|k| *k == w[0]) < order.iter().position(|k| *k == w[1])),
        "results are grouped by kind in order: {kinds:?}"
    );
    // A result links to its page (and a paragraph hit to its paragraph), loading there.
    for r in &found {
        let href = r["href"].as_str().unwrap_or_default();
        assert!(href.starts_with(base), "{href} is inside the site {base}");
    }

    let (zh, person, paragraph) = x.chinese;
    let paragraph = if offline {
        paragraph.replace("/#", "/index.html#")
    } else {
        paragraph.to_string()
    };
    let found = search(browser, base, &format!("q={zh}"), offline);
    assert!(
        found
            .iter()
            .any(|r| r["kind"] == "person" && r["title"] == person),
        "`{zh}` finds the person {person}: {found:#?}"
    );
    assert!(
        found.iter().any(
            |r| r["href"].as_str().is_some_and(|h| h.ends_with(&paragraph))
                && r["marks"]
                    .as_array()
                    .is_some_and(|m| m.iter().any(|m| m == zh))
        ),
        "`{zh}` finds the paragraph {paragraph} with the words marked: {found:#?}"
    );

    // Filters: by kind, by source, by year (from the address, and from the form).
    let articles = search(browser, base, &format!("q={query}&kind=article"), offline);
    assert!(
        !articles.is_empty() && articles.iter().all(|r| r["kind"] == "article"),
        "kind filter: {articles:#?}"
    );
    let source = search(
        browser,
        base,
        &format!("q={query}&source={}", x.source.replace(' ', "%20")),
        offline,
    );
    assert!(!source.is_empty(), "source filter finds something");
    let metas = browser.eval("return Array.prototype.map.call(document.querySelectorAll('#search-results li.result .meta'), function (m) { return m.textContent; });");
    assert!(
        metas.as_array().is_some_and(|m| m.len() == source.len()
            && m.iter()
                .all(|m| m.as_str().is_some_and(|m| m.contains(x.source)))),
        "every result of the source filter is from {}: {metas}",
        x.source
    );
    let all = search(browser, base, &format!("q={query}"), offline);
    browser.eval(&format!(
        "var y = document.getElementById('search-year'); y.value = {}; \
         document.getElementById('search-status').textContent = ''; \
         y.dispatchEvent(new Event('change')); return true;",
        js(x.year)
    ));
    let by_year = browser.wait_for("results of the year filter", RESULTS);
    let by_year = by_year.as_array().cloned().unwrap_or_default();
    assert!(
        !by_year.is_empty() && by_year.len() < all.len(),
        "year filter narrows: {} of {}",
        by_year.len(),
        all.len()
    );
    let metas = browser.eval("return Array.prototype.map.call(document.querySelectorAll('#search-results li.result'), function (li) { var m = li.querySelector('.meta'); return m ? m.textContent : ''; });");
    assert!(
        metas.as_array().is_some_and(|m| m
            .iter()
            .all(|m| m.as_str().is_some_and(|m| m.contains(x.year)))),
        "every result of the year filter is dated {}: {metas}",
        x.year
    );

    // Keyboard: ↓ from the box goes to the first result, ↑ back; `/` focuses the box.
    let keys = browser.eval(
        "var i = document.getElementById('search-input'); i.focus(); \
         function key(el, k) { el.dispatchEvent(new KeyboardEvent('keydown', {key: k, bubbles: true, cancelable: true})); } \
         key(i, 'ArrowDown'); var first = document.activeElement.className; \
         key(document.activeElement, 'ArrowUp'); var back = document.activeElement.id; \
         document.activeElement.blur(); key(document.body, '/'); \
         return [first, back, document.activeElement.id];",
    );
    assert_eq!(
        keys,
        json!(["result-link", "search-input", "search-input"]),
        "keyboard on the search page"
    );

    // The box on every page: quick results, arrows, Escape.
    browser.open(&address(base, "", offline));
    browser.eval(&format!(
        "var q = document.getElementById('q'); q.focus(); q.value = {}; \
         q.dispatchEvent(new Event('input', {{bubbles: true}})); return true;",
        js(query)
    ));
    let options = browser.wait_for(
        "quick results",
        "var l = document.getElementById('q-suggestions'); \
         return l && !l.hidden && l.querySelectorAll('[role=option]').length;",
    );
    assert!(
        options.as_u64().unwrap_or(0) >= 2,
        "quick results: {options}"
    );
    let keyed = browser.eval(
        "var q = document.getElementById('q'); \
         function key(k) { q.dispatchEvent(new KeyboardEvent('keydown', {key: k, bubbles: true, cancelable: true})); } \
         key('ArrowDown'); var active = q.getAttribute('aria-activedescendant'); \
         key('Escape'); return [active, document.getElementById('q-suggestions').hidden, q.getAttribute('aria-expanded')];",
    );
    assert_eq!(
        keyed,
        json!(["q-option-0", true, "false"]),
        "quick results by keyboard"
    );

    // A citation: focused, it previews the paragraph with the quoted words marked; the link
    // itself goes to the paragraph (scripts off, it still does).
    browser.open(&address(base, x.cite_page, offline));
    let cite = browser.eval(&format!(
        "var data = JSON.parse(document.getElementById('briefing-previews').textContent); \
         var links = document.querySelectorAll('sup.cite a'); \
         for (var i = 0; i < links.length; i++) {{ \
           var key = Object.keys(data.c).filter(function (k) {{ return links[i].href.indexOf(k.split('#')[0]) >= 0 && links[i].href.split('#')[1] === k.split('#')[1]; }})[0]; \
           if (key && data.c[key][2].indexOf({q}) >= 0) {{ links[i].focus(); return {{href: links[i].href}}; }} \
         }} return null;",
        q = js(x.quote)
    ));
    assert!(
        cite["href"].as_str().is_some_and(|h| h.contains("#p")),
        "a citation of the quote links to a paragraph: {cite}"
    );
    let shown = browser.wait_for(
        "the citation preview",
        "var p = document.getElementById('briefing-preview'); \
         return p && !p.hidden && {text: p.innerText, marks: Array.prototype.map.call(p.querySelectorAll('mark'), function (m) { return m.textContent; }), \
           described: document.activeElement.getAttribute('aria-describedby')};",
    );
    assert!(
        shown["marks"]
            .as_array()
            .is_some_and(|m| m.iter().any(|m| m == x.quote)),
        "the preview marks the quote `{}`: {shown}",
        x.quote
    );
    assert_eq!(
        shown["described"], "briefing-preview",
        "the focused link is described by the preview"
    );
    let closed = browser.eval(
        "document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape', bubbles: true})); \
         return document.getElementById('briefing-preview').hidden;",
    );
    assert_eq!(closed, true, "Escape closes the preview");

    // A person link: hovered, it previews the person's summary.
    browser.open(&address(base, x.person_page, offline));
    let hovered = browser.eval(&format!(
        "var links = document.querySelectorAll('main a[href]'); \
         for (var i = 0; i < links.length; i++) {{ if (links[i].href.indexOf({p}) >= 0) {{ \
           links[i].dispatchEvent(new MouseEvent('mouseover', {{bubbles: true}})); return links[i].href; }} }} return null;",
        p = js(x.person)
    ));
    assert!(
        hovered.is_string(),
        "{} links to {}",
        x.person_page,
        x.person
    );
    let shown = browser.wait_for(
        "the person preview",
        "var p = document.getElementById('briefing-preview'); return p && !p.hidden && p.innerText;",
    );
    assert!(
        shown.as_str().is_some_and(|t| t.contains(x.summary)),
        "the person preview shows `{}`: {shown}",
        x.summary
    );
}

/// axe-core on one page of each kind, served or from disk: no serious or critical violation.
fn check_accessibility(browser: &Browser, base: &str, x: &Expect, axe: &str, offline: bool) {
    for path in x.pages {
        let url = match path.split_once('?') {
            Some((page, query)) => format!("{}?{query}", address(base, page, offline)),
            None => address(base, path, offline),
        };
        browser.open(&url);
        if path.contains("?q=") {
            browser.wait_for("search results for axe", RESULTS);
        }
        browser.eval(&format!("{axe}\nreturn typeof axe;"));
        let found = browser
            .run_async(
                "var done = arguments[arguments.length - 1]; \
                 axe.run(document, {resultTypes: ['violations']}).then(function (r) { \
                   done(r.violations.filter(function (v) { return v.impact === 'serious' || v.impact === 'critical'; }) \
                     .map(function (v) { return {id: v.id, impact: v.impact, help: v.help, \
                       nodes: v.nodes.slice(0, 3).map(function (n) { return n.html; })}; })); \
                 }, function (e) { done({error: String(e)}); });",
            )
            .unwrap_or_else(|e| panic!("axe on {url}: {e}"));
        assert_eq!(
            found,
            json!([]),
            "axe-core on {url}: serious or critical violations"
        );
    }
    // The check itself sees a violation when there is one (an image without a text).
    browser.eval(
        "var i = document.createElement('img'); i.src = 'data:,'; \
         document.querySelector('main').appendChild(i); return true;",
    );
    let control = browser
        .run_async(
            "var done = arguments[arguments.length - 1]; \
             axe.run(document, {resultTypes: ['violations']}).then(function (r) { \
               done(r.violations.map(function (v) { return v.id + ':' + v.impact; })); });",
        )
        .unwrap_or_else(|e| panic!("axe control: {e}"));
    assert!(
        control
            .as_array()
            .is_some_and(|v| v.iter().any(|v| v == "image-alt:critical")),
        "axe reports an image without alt text: {control}"
    );
}

/// Search (English word forms, Chinese without spaces, filters, keyboard), previews of
/// citations and people, and axe-core on every page type, on the fixture site and the sample
/// site, each served over HTTP by `briefing serve` and built `--offline` and opened from disk.
/// One browser session for all.
#[test]
fn reader_features_served_and_from_disk() {
    let Some((chromium, chromedriver)) = browser_tools() else {
        return;
    };
    let axe = axe_source();
    let started = Instant::now();
    let step = |what: &str| eprintln!("reader: {:>6.2?} {what}", started.elapsed());
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let sites = [
        Expect {
            root: repo.join("tests/sites/full"),
            base: "brief/",
            english: ("reforms", "reform"),
            chinese: ("袁家军", "Yuan Jiajun", "articles/zh-report/#p1"),
            source: "iChongqing",
            year: "2023",
            cite_page: "meetings/fourth-plenary/",
            quote: "approved a critical proposal",
            person_page: "meetings/fourth-plenary/",
            person: "people/yuan-jiajun/",
            summary: "Party secretary of Chongqing",
            pages: &[
                "",
                "meetings/",
                "articles/",
                "meetings/fourth-plenary/",
                "people/yuan-jiajun/",
                "topics/soe-reform/",
                "organizations/cq-committee/",
                "articles/zh-report/",
                "articles/reform-press-conference/",
                "search/?q=reform",
                "404.html",
            ],
        },
        Expect {
            root: repo.clone(),
            base: "chongqing-briefing/",
            english: ("reform", "reforms"),
            chinese: (
                "曾菁华",
                "Zeng Jinghua",
                "articles/cq-three-priorities-2024/#p9",
            ),
            source: "Chongqing Daily",
            year: "2024",
            cite_page: "topics/modern-industrial-system/",
            quote: "manufacturing contributing 28% to GDP",
            person_page: "meetings/cq-reform-commission-12/",
            person: "people/yuan-jiajun/",
            summary: "in all the articles that name him",
            pages: &[
                "",
                "people/",
                "topics/",
                "organizations/",
                "meetings/cq-6-4-plenary/",
                "people/zeng-jinghua/",
                "topics/modern-industrial-system/",
                "organizations/cq-sasac/",
                "articles/cq-three-priorities-2024/",
                "search/?q=reform",
                "404.html",
            ],
        },
    ];
    let browser = Browser::start(&chromium, &chromedriver);
    let tmp = tempfile::tempdir().expect("tempdir");
    step("browser started");
    for (n, x) in sites.iter().enumerate() {
        let server = Server::start(&x.root, &[], START);
        let base = format!("{}{}", server.url(), x.base);
        check_reader_features(&browser, &base, x, false);
        step(&format!("{}: served: search and previews", x.base));
        if let Some(axe) = &axe {
            check_accessibility(&browser, &base, x, axe, false);
            step(&format!(
                "{}: served: axe on {} pages",
                x.base,
                x.pages.len()
            ));
        }
        drop(server);
        let out = tmp.path().join(format!("site-{n}"));
        common::briefing(&[
            Path::new("build"),
            Path::new("--root"),
            &x.root,
            Path::new("--offline"),
            Path::new("--output"),
            &out,
        ])
        .expect_code(0, "build --offline");
        let base = format!("file://{}/", out.display());
        check_reader_features(&browser, &base, x, true);
        step(&format!("{}: from disk: search and previews", x.base));
        if let Some(axe) = &axe {
            check_accessibility(&browser, &base, x, axe, true);
            step(&format!(
                "{}: from disk: axe on {} pages",
                x.base,
                x.pages.len()
            ));
        }
    }
}

/// What a printed page shows, as the browser lays it out for print: the page's text
/// (`innerText` leaves out what CSS hides) and whether the screen-only parts are hidden.
const PRINTED: &str = "return { print: matchMedia('print').matches, \
    text: document.querySelector('main').innerText, \
    masthead: getComputedStyle(document.querySelector('.masthead')).display, \
    sups: Array.prototype.filter.call(document.querySelectorAll('sup.cite'), \
      function (s) { return getComputedStyle(s).display !== 'none'; }).length, \
    charts: Array.prototype.filter.call(document.querySelectorAll('svg.chart'), \
      function (s) { return getComputedStyle(s).display !== 'none' && s.getBoundingClientRect().height > 0; }).length };";

/// A printed topic or meeting page gives each citation as a reference a reader of paper can
/// follow, "(article title, ¶N)", instead of the bare superscript link of the screen: checked
/// with the page laid out for print (Chrome DevTools `Emulation.setEmulatedMedia`, through
/// chromedriver), and, as a control, not shown on screen.
#[test]
fn printed_pages_show_citations_as_references() {
    let Some((chromium, chromedriver)) = browser_tools() else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("site");
    common::copy_dir(&common::sites_dir().join("full"), &root);
    let server = Server::start(&root, &[], START);
    let browser = Browser::start(&chromium, &chromedriver);
    let title = "Chongqing sets course for reform of state-owned enterprises";
    let pages = [
        ("topics/soe-reform/", vec![3], 1),
        ("meetings/fourth-plenary/", vec![2, 3, 4], 0),
    ];
    for (page, paragraphs, charts) in pages {
        browser.open(&format!("{}brief/{page}", server.url()));
        let media = |kind: &str| {
            browser
                .session_call(
                    "POST",
                    "/goog/cdp/execute",
                    Some(&json!({"cmd": "Emulation.setEmulatedMedia", "params": {"media": kind}})),
                )
                .unwrap_or_else(|e| panic!("print emulation through chromedriver: {e}"))
        };
        // On screen: superscript links, no printed references.
        media("screen");
        let screen = browser.eval(PRINTED);
        assert_eq!(screen["print"], false, "{screen}");
        let text = screen["text"].as_str().unwrap_or_default();
        assert!(
            !text.contains(&format!("({title}, ¶")),
            "{page} on screen:\n{text}"
        );
        assert!(screen["sups"].as_u64().unwrap_or(0) > 0, "{page}: {screen}");

        media("print");
        let printed = browser.eval(PRINTED);
        assert_eq!(printed["print"], true, "{printed}");
        let text = printed["text"].as_str().unwrap_or_default();
        for n in paragraphs {
            assert!(
                text.contains(&format!("({title}, ¶{n})")),
                "{page} printed lacks the reference to ¶{n}:\n{text}"
            );
        }
        assert_eq!(printed["masthead"], "none", "{page}: the masthead prints");
        assert_eq!(
            printed["sups"], 0,
            "{page}: superscript links print: {printed}"
        );
        assert_eq!(
            printed["charts"], charts,
            "{page}: charts in print: {printed}"
        );
    }
    drop(browser);
    drop(server);
}
