#!/usr/bin/env python3
"""Share of a build's CPU samples by part of the build, from a `perf script` dump.

usage: profile_parts.py PERF_SCRIPT_OUTPUT

Record and dump first (a clean build; the release profile keeps line tables for the stacks):

    perf record -F 1999 --call-graph dwarf,16384 -o perf.data \\
        target/release/briefing build --root /tmp/corpus10k/briefing --output /dev/shm/out
    perf script -i perf.data > perf.txt
    python3 bench/profile_parts.py perf.txt

Each sample goes to the part named by the innermost frame of its stack that matches one of the
patterns below, in the order given (so writing a file from inside the page code counts as
writing, and a tera value made by our context code counts as a template value). The share of
each part that ran in the kernel is shown beside it. The profile of a build is flat, so this
tells more than a list of the hottest functions.
"""
import collections, re, sys

# (part, pattern in a frame's symbol); the first pattern that a frame matches names its part.
PARTS = [
    ("write files", "briefing::write::Staged"),
    ("write files", "briefing::write::folder"),
    ("fingerprint", "write::inputs"),
    ("load", "briefing::load::"),
    ("search", "render::search::"),
    ("feeds", "render::feeds"),
    ("data.json", "render::data"),
    ("previews", "render::previews"),
    ("charts", "render::charts"),
    ("tera render", "tera::vm"),
    ("tera render", "tera::tera::"),
    ("tera render", "tera::filters"),
    ("page context", "render::context"),
    ("template values", "tera::"),
    ("page other", "briefing::render::"),
    ("article bodies", "briefing::markdown"),
    ("article bodies", "resolve::mentions"),
    ("article bodies", "text::Normalized"),
    ("article bodies", "pulldown_cmark"),
    ("resolve other", "briefing::resolve"),
    ("cli and other", "briefing::"),
]


def stacks(path):
    """Each sample's frames, innermost first, as (in_kernel, symbol)."""
    current = None
    with open(path, errors="replace") as f:
        for line in f:
            if not line.strip():
                if current is not None:
                    yield current
                current = None
            elif not line.startswith((" ", "\t")):
                current = []
            elif current is not None:
                parts = line.strip().split(None, 1)
                symbol = parts[1] if len(parts) > 1 else "?"
                kernel = "[kernel" in symbol
                current.append((kernel, re.sub(r"\+0x[0-9a-f]+ \(.*$", "", symbol)))
    if current is not None:
        yield current


def part_of(frames):
    for _, symbol in frames:
        for part, pattern in PARTS:
            if pattern in symbol:
                return part
    return "unattributed"


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    counts, in_kernel, total = collections.Counter(), collections.Counter(), 0
    for frames in stacks(sys.argv[1]):
        total += 1
        part = part_of(frames)
        counts[part] += 1
        if frames and frames[0][0]:
            in_kernel[part] += 1
    print(f"{total} samples")
    print("| part | samples | share | of which in the kernel |")
    print("| --- | ---: | ---: | ---: |")
    for part, n in counts.most_common():
        print(f"| {part} | {n} | {100 * n / total:.1f} % | {100 * in_kernel[part] / total:.1f} % |")


if __name__ == "__main__":
    main()
