#!/usr/bin/env bash
# Many training runs at once on one GPU, for recipe experiments: one train_cgan.py run per line of JOBS_FILE
# ("NAME FLAGS...", '#' starts a comment), PARALLEL at a time, each into OUT_DIR/NAME with its log OUT_DIR/NAME.log.
#
#   bash benchmarks/sweep.sh JOBS_FILE OUT_DIR [PARALLEL [SECONDS]]
#   python -m benchmarks.sweep_table OUT_DIR --floor weights/metrics.json    # the results as a markdown table
#
# The presets' networks are so small that one run keeps an H200 mostly idle (a step is bound by the CPU launching
# kernels): 8 quick-preset runs side by side took 120 s each, where one alone takes 83 s, so 16 runs fit in 8
# minutes. No run starts with less than a minute of SECONDS (default 540) left, and a run
# still going at the end is stopped (its record is missing). DEVICE=cpu tries the script on a machine without a GPU.
set -u
jobs=${1:?usage: sweep.sh JOBS_FILE OUT_DIR [PARALLEL [SECONDS]]}
out=${2:?usage: sweep.sh JOBS_FILE OUT_DIR [PARALLEL [SECONDS]]}
export SWEEP_PY=${PYTHON:-python3} SWEEP_DEVICE=${DEVICE:-cuda} SWEEP_END=$(( $(date +%s) + ${4:-540} )) \
  PYTHONUNBUFFERED=1
parallel=${3:-8}
mkdir -p "$out" && export SWEEP_OUT=$(cd "$out" && pwd)
jobs=$(cd "$(dirname "$jobs")" && pwd)/$(basename "$jobs")
cd "$(dirname "$0")/.."

one() {  # one NAME FLAGS...: train into SWEEP_OUT/NAME, unless too little time is left
  local name=$1 left=$((SWEEP_END - $(date +%s))) start=$(date +%s); shift
  if ((left < 60)); then echo "$name: skipped (${left}s left)"; return; fi
  # two threads each: a run's own CPU work is one Python thread, and 8 runs share a 16-core machine
  timeout "$left" "$SWEEP_PY" train_cgan.py --device "$SWEEP_DEVICE" --no-progress --threads 2 \
    --out-dir "$SWEEP_OUT/$name" "$@" > "$SWEEP_OUT/$name.log" 2>&1
  local status=$?
  echo "$name: exit $status$( ((status == 124)) && echo ' (stopped at the time limit)') after $(($(date +%s) - start))s"
}
export -f one
t0=$(date +%s)
# one job per line, whatever its spaces (xargs -L would join a line ending in a space to the next); the unquoted
# $1 splits the line into NAME and flags, with globbing off
grep -v '^\s*\(#\|$\)' "$jobs" | xargs -d '\n' -n 1 -P "$parallel" bash -c 'set -f; one $1' _
echo "sweep done in $(($(date +%s) - t0))s: $SWEEP_OUT"
