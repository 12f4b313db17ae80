#!/usr/bin/env python3
"""Live-reload latency of `briefing serve`: from the end of a save to the reload message.

usage: serve_latency.py BRIEFING SITE [--runs N] [--port P]

Starts `BRIEFING serve --root SITE`, listens on the push channel (/__briefing/events) like an
open page does, then saves files the way an editor writing in place does and measures, for each
save, the time from the moment the file is closed (the last file event) to the `reload` message
reaching this client, and then to the edited entity's page arriving. The saves alternate between
two versions of each file, so that every one is a real change, and the site is left as it was.

Cases (for the synthetic corpus of ../shared/bench/gen_corpus.py): an article, a meeting, a
rarely mentioned person, the most-mentioned person (in about a third of the articles) and a
template (a site template over the built-in 404 page: every page changes). Prints one table.
"""
import argparse, glob, http.client, os, re, shutil, socket, statistics, subprocess, sys, threading, time

HERE = os.path.dirname(os.path.abspath(__file__))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Events:
    """A client of the server's Server-Sent Events stream."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.sendall(b"GET /__briefing/events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n")
        self.buf = b""

    def next_event(self, timeout):
        end = time.perf_counter() + timeout
        while b"\n\n" not in self.buf:
            left = end - time.perf_counter()
            if left <= 0:
                raise TimeoutError("no event")
            self.sock.settimeout(left)
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("stream closed")
            self.buf += chunk
        frame, self.buf = self.buf.split(b"\n\n", 1)
        name = [l[6:].strip() for l in frame.split(b"\n") if l.startswith(b"event:")]
        return (name[0].decode() if name else ""), time.perf_counter()

    def drain(self):
        self.sock.settimeout(0.05)
        try:
            while True:
                if not self.sock.recv(65536):
                    break
        except (socket.timeout, BlockingIOError):
            pass
        self.buf = b""


def fetch(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path)
    body = conn.getresponse().read()
    conn.close()
    return body


def save(path, text):
    """Write in place, as most editors do; returns when the file is closed."""
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return time.perf_counter()


def cases(site):
    articles = sorted(glob.glob(os.path.join(site, "content/articles/*.md")))
    meetings = sorted(glob.glob(os.path.join(site, "content/meetings/*.yaml")))
    people = sorted(glob.glob(os.path.join(site, "content/people/*.yaml")))
    top = os.path.join(site, "content/people/yuan-jiajun.yaml")
    rare = people[-1] if people[-1] != top else people[-2]
    builtin_404 = open(os.path.join(HERE, "..", "themes/briefing/templates/404.html"), encoding="utf-8").read()

    def page(path):
        kind = os.path.basename(os.path.dirname(path))
        return f"/{kind}/{os.path.splitext(os.path.basename(path))[0]}/"

    def append_line(path, line):
        text = open(path, encoding="utf-8").read()
        return text, text.rstrip("\n") + "\n" + line + "\n"

    def summary_edit(path):
        text = open(path, encoding="utf-8").read()
        if "\nsummary:" in text:
            changed = text.replace("\nsummary: ", "\nsummary: Edited. ", 1)
        else:
            changed = text.rstrip("\n") + "\nsummary: Edited.\n"
        return text, changed

    art = articles[len(articles) // 2]
    a0, a1 = append_line(art, "\nAn added paragraph about reform.")
    yield "article", art, page(art), a0, a1
    m0, m1 = summary_edit(meetings[len(meetings) // 2])
    yield "meeting", meetings[len(meetings) // 2], page(meetings[len(meetings) // 2]), m0, m1
    r0, r1 = summary_edit(rare)
    yield "person, rarely mentioned", rare, page(rare), r0, r1
    t0, t1 = summary_edit(top)
    yield "person, most mentioned", top, page(top), t0, t1
    tpl = os.path.join(site, "templates", "404.html")
    yield "template", tpl, "/404.html", builtin_404, builtin_404.replace("</h1>", " (edited)</h1>", 1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("briefing")
    ap.add_argument("site")
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    port = args.port or free_port()
    site = os.path.abspath(args.site)
    had_templates = os.path.isdir(os.path.join(site, "templates"))
    os.makedirs(os.path.join(site, "templates"), exist_ok=True)
    proc = subprocess.Popen([args.briefing, "serve", "--root", site, "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stderr.readline()
        while line and "serving at" not in line:
            line = proc.stderr.readline()
        if not line:
            sys.exit("serve_latency: the server did not start")
        # The server's own report of each rebuild ("rebuilt in N ms"), read as it comes.
        rebuilds = []

        def read_reports():
            for line in proc.stderr:
                found = re.search(r"rebuilt in (\d+) ms", line)
                if found:
                    rebuilds.append(int(found.group(1)))

        threading.Thread(target=read_reports, daemon=True).start()
        rows = []
        for name, path, url, original, changed in cases(site):
            existed = os.path.exists(path)
            events = Events(port)
            time.sleep(0.3)
            events.drain()
            to_reload, to_page = [], []
            first_report = len(rebuilds)
            try:
                for run in range(args.runs):
                    text = changed if run % 2 == 0 else original
                    saved = save(path, text)
                    while True:
                        event, at = events.next_event(60)
                        if event in ("reload", "errors"):
                            break
                    if event == "errors":
                        sys.exit(f"serve_latency: {name}: the site has errors after the save")
                    fetch(port, url)
                    served = time.perf_counter()
                    to_reload.append((at - saved) * 1000)
                    to_page.append((served - saved) * 1000)
                    time.sleep(0.2)
            finally:
                if existed:
                    save(path, original)
                else:
                    os.remove(path)
                time.sleep(0.5)
            reported = rebuilds[first_report:first_report + args.runs]
            rows.append((name, statistics.median(to_reload), min(to_reload), max(to_reload),
                         statistics.median(to_page),
                         statistics.median(reported) if reported else float("nan")))
        print(f"| save | median to reload message (ms) | min–max (ms) | median to page served (ms) | median rebuild, as the server reports it (ms) |")
        print(f"|---|---:|---:|---:|---:|")
        for name, med, lo, hi, page, rebuild in rows:
            print(f"| {name} | {med:.1f} | {lo:.1f}–{hi:.1f} | {page:.1f} | {rebuild:.0f} |")
    finally:
        proc.terminate()
        proc.wait()
        if not had_templates:
            shutil.rmtree(os.path.join(site, "templates"), ignore_errors=True)


if __name__ == "__main__":
    main()
