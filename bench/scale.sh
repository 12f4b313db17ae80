#!/usr/bin/env bash
# How briefing's build time and peak memory grow with the site: paired builds of a small and a
# large synthetic site (by default 10,000 and 100,000 articles), on the RAM disk.
#
#   bash bench/scale.sh [--pairs P] [SMALL LARGE]
#
#   SMALL LARGE  corpus sizes, in articles (default: 10000 100000)
#   --pairs P    pairs to run (default 3)
#
# Environment (all optional):
#   BRIEFING       a briefing binary to measure instead of building this checkout
#   GEN_CORPUS     the corpus generator (default ../shared/bench/gen_corpus.py)
#   CORPUS_DIR     keep the corpora here and reuse them on the next run (default: a temporary
#                  folder, removed on exit; writing 100,000 articles takes about a minute)
#   BENCH_SHM_DIR  a RAM-disk folder for the output (default /dev/shm)
#
# One pair is three clean builds of the small site, then one of the large: the large build is
# compared with the median of the three just before it, so both see the machine in the same
# state. The first large build of a run may read part of its corpus from the disk (1 GB at
# 100,000 articles), which its pair's ratio shows. Wall time and peak RSS come from
# `/usr/bin/time`. Nothing here asserts a time.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PAIRS=3
SIZES=()
while [ $# -gt 0 ]; do
    case "$1" in
        --pairs) PAIRS=$2; shift 2 ;;
        -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
        *) SIZES+=("$1"); shift ;;
    esac
done
[ ${#SIZES[@]} -eq 0 ] && SIZES=(10000 100000)
[ ${#SIZES[@]} -eq 2 ] || { echo "give two sizes, SMALL and LARGE" >&2; exit 2; }
SMALL=${SIZES[0]}
LARGE=${SIZES[1]}
GEN_CORPUS=${GEN_CORPUS:-$ROOT/../shared/bench/gen_corpus.py}
[ -f "$GEN_CORPUS" ] || { echo "corpus generator not found: $GEN_CORPUS (set GEN_CORPUS)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time is needed (Debian: apt-get install time)" >&2; exit 2; }

TEMP=$(mktemp -d)
OUT=$(mktemp -d "${BENCH_SHM_DIR:-/dev/shm}/briefing-scale.XXXXXX")
trap 'rm -rf "$TEMP" "$OUT"' EXIT
CORPUS_DIR=${CORPUS_DIR:-$TEMP/corpora}

if [ -z "${BRIEFING:-}" ]; then
    (cd "$ROOT" && cargo build --release --locked --quiet)
    BRIEFING=$ROOT/target/release/briefing
fi

corpus() {
    local n=$1 dir=$CORPUS_DIR/$1
    if [ ! -f "$dir/briefing/site.toml" ]; then
        echo "==> writing the corpus, N=$n" >&2
        python3 "$GEN_CORPUS" "$n" "$dir" --flavors briefing >&2
    fi
    echo "$dir/briefing"
}
SMALL_SITE=$(corpus "$SMALL")
LARGE_SITE=$(corpus "$LARGE")

# One clean build: prints "<wall seconds> <peak KB>".
build() {
    rm -rf "$OUT/site"
    /usr/bin/time -f "%e %M" -o "$TEMP/time" "$BRIEFING" build --root "$1" --output "$OUT/site" >/dev/null 2>&1
    cat "$TEMP/time"
}

echo "==> $PAIRS pairs: three builds of $SMALL articles, then one of $LARGE ($BRIEFING)" >&2
: > "$TEMP/pairs"
for pair in $(seq "$PAIRS"); do
    small=()
    for _ in 1 2 3; do small+=("$(build "$SMALL_SITE")"); done
    large=$(build "$LARGE_SITE")
    echo "${small[*]} | $large" >> "$TEMP/pairs"
    echo "    pair $pair: ${small[*]} | $large" >&2
done

python3 - "$SMALL" "$LARGE" "$TEMP/pairs" <<'EOF'
import statistics, sys
small_n, large_n, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rows, time_ratios, memory_ratios = [], [], []
for pair, line in enumerate(open(path), 1):
    before, after = line.split("|")
    numbers = [float(x) for x in before.split()]
    small_wall = statistics.median(numbers[0::2])
    small_peak = statistics.median(numbers[1::2])
    large_wall, large_peak = (float(x) for x in after.split())
    time_ratios.append(large_wall / small_wall)
    memory_ratios.append(large_peak / small_peak)
    rows.append(f"| {pair} | {small_wall:.2f} s | {small_peak / 1024:.0f} MiB | {large_wall:.2f} s "
                f"| {large_peak / 1024:.0f} MiB | {time_ratios[-1]:.1f}× | {memory_ratios[-1]:.1f}× |")
print(f"| pair | {small_n:,} articles (median of 3) | peak | {large_n:,} articles | peak | time ratio | memory ratio |")
print("| --- | --- | --- | --- | --- | --- | --- |")
print("\n".join(rows))
print(f"\nMedian over the pairs: time {statistics.median(time_ratios):.1f}×, "
      f"memory {statistics.median(memory_ratios):.1f}× (the work grows {large_n / small_n:.0f}×).")
EOF
