#!/usr/bin/env python3
"""Format the results of bench/run.sh as one markdown table.

usage: table.py MANIFEST RESULTS_DIR

MANIFEST has one tab-separated line per row: label, N, output (shm|disk), files in the output
folder, result id, tool. For each id, RESULTS_DIR holds ID.json (hyperfine's --export-json:
results[0].times, in seconds) and ID.rss (the reports of `/usr/bin/time -v`, one per run,
appended; may be empty when /usr/bin/time was missing).
"""
import json
import re
import statistics
import sys
from pathlib import Path

RSS = re.compile(r"Maximum resident set size \(kbytes\):\s*(\d+)")
WHERE = {"shm": "/dev/shm", "disk": "disk"}


def fmt_time(s, unit):
    return f"{s * 1000:.0f}" if unit == "ms" else f"{s:.2f}"


def main():
    manifest, res = Path(sys.argv[1]), Path(sys.argv[2])
    rows = []
    for line in manifest.read_text().splitlines():
        if not line.strip():
            continue
        label, n, where, files, rid, tool = line.split("\t")
        times = json.loads((res / f"{rid}.json").read_text())["results"][0]["times"]
        rss_path = res / f"{rid}.rss"
        rss = [int(k) for k in RSS.findall(rss_path.read_text())] if rss_path.exists() else []
        rows.append(dict(label=label, n=int(n), where=where, files=int(files), tool=tool,
                         times=times, rss=rss))

    # Reference for the last column: briefing's clean build at the same N and output.
    ref = {(r["n"], r["where"]): statistics.median(r["times"])
           for r in rows if r["label"] == "briefing"}

    head = ["tool", "N", "output", "files", "median wall", "min–max", "peak RSS (median)",
            "wall ÷ briefing"]
    out = ["| " + " | ".join(head) + " |", "|" + "|".join(" --- " for _ in head) + "|"]
    for r in rows:
        med = statistics.median(r["times"])
        unit = "ms" if max(r["times"]) < 1 else "s"
        spread = f"{fmt_time(min(r['times']), unit)}–{fmt_time(max(r['times']), unit)} {unit}"
        rss = f"{statistics.median(r['rss']) / 1024:.0f} MiB" if r["rss"] else "n/a"
        base = ref.get((r["n"], r["where"]))
        ratio = f"{med / base:.2f}" if base else "n/a"
        out.append("| " + " | ".join([
            r["label"], f"{r['n']:,}", WHERE.get(r["where"], r["where"]), f"{r['files']:,}",
            f"{fmt_time(med, unit)} {unit}", spread, rss, ratio]) + " |")
    runs = {len(r["times"]) for r in rows}
    print("\n".join(out))
    print()
    print(f"Wall time over {'/'.join(str(k) for k in sorted(runs))} timed runs per row; peak RSS "
          "is the median over all runs (warm-up included) of `/usr/bin/time -v`'s maximum "
          "resident set size. Files: `find OUT -type f | wc -l` after the last run (briefing's "
          "count includes its own bookkeeping files, `.briefing-*`). Clean builds start from an empty output "
          "folder each run (on the disk the previous output is moved aside, not deleted, "
          "until all rows of that N are done); the no-change rebuild builds again into the "
          "previous output.")


if __name__ == "__main__":
    main()
