#!/usr/bin/env bash
# Run every fuzz target one after another for SECONDS each (default 600), niced, on stable
# Rust without sanitizers (`-s none`); logs in fuzz/logs/<target>.log, crashes in
# fuzz/artifacts/<target>/.
set -uo pipefail
cd "$(dirname "$0")"
SECONDS_EACH=${1:-600}
shift || true
TARGETS=${*:-image_ref reader noop_edit image_edit fast_reader}
[ -d corpus/reader ] || ./seed.sh
mkdir -p logs
for t in $TARGETS; do
  echo "== $t: ${SECONDS_EACH}s (started $(date -u +%H:%M:%S))"
  DICT=(); [ -f "dict/$t.dict" ] && DICT=(-dict="dict/$t.dict")
  nice -n 10 cargo fuzz run -s none "$t" corpus/$t -- \
    -max_total_time="$SECONDS_EACH" -max_len=16384 -timeout=10 -rss_limit_mb=2048 \
    "${DICT[@]}" -print_final_stats=1 >"logs/$t.log" 2>&1
  echo "   exit $? ; $(grep -E '^stat::number_of_executed_units|Done [0-9]+ runs' logs/$t.log | tail -2 | tr '\n' ' ')"
done
