#!/usr/bin/env bash
# Latency under load (issue 10): MobileNet v1 1.0-224 f32 at the default threading policy
# against the quiet settings and ONNX Runtime, with 0, 1 and 2 `yes > /dev/null` loops
# competing for the CPU, in interleaved rounds; then the issue's three figures with
# PASS/FAIL:
#   1. quiet median (default policy)   <= 1.1 x the best quiet median of any setting
#   2. median with one busy loop       <= 1.2 x the quiet 1-thread median
#   3. p90 with two busy loops         <= 2   x the quiet 1-thread median
# ORT's figures are printed beside ours (its own quiet 1-thread median as the yardstick).
#
# usage: scripts/bench-under-load.sh [ROUNDS=3] [RUNS=100] [BUILD_DIR=build]
# Each round holds /tmp/mnv1-bench.lock (shared with other benchmarks) and runs about a
# minute; the busy loops are stopped at the end of every run, also on error or Ctrl-C.
# Needs ../shared/peers/bench-ort (node + onnxruntime-node) for the ORT columns.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
if [ "${1:-}" = "--round" ]; then build=$5; else rounds=${1:-3}; runs=${2:-100}; build=${3:-build}; fi
cli="$here/$build/bin/mobilenet-cli"
ort="${MOBILENET_SHARED_DIR:-$here/../shared}/peers/bench-ort"
lock=/tmp/mnv1-bench.lock
[ -x "$cli" ] || { echo "no $cli: build mobilenet-cli first" >&2; exit 1; }

if [ "${1:-}" = "--round" ]; then
  # One round (called under the lock): every setting once per load, loops started per run.
  round=$2; runs=$3; out=$4
  pids=()
  stop_loops() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; pids=(); }
  trap stop_loops EXIT INT TERM
  start_loops() { for _ in $(seq 1 "$1"); do yes >/dev/null & pids+=($!); done; sleep 0.3; }
  field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }
  ours() {  # NAME BUSY ENV... -- CLI ARGS...
    local name=$1 busy=$2; shift 2
    local envs=(); while [ "$1" != "--" ]; do envs+=("$1"); shift; done; shift
    start_loops "$busy"
    local line; line=$(env -u OMP_WAIT_POLICY -u GOMP_SPINCOUNT -u MOBILENET_WAIT_POLICY_APPLIED "${envs[@]}" \
      "$cli" bench --alpha 1.0 --resolution 224 --runs "$runs" "$@" | grep '^RESULT')
    stop_loops
    echo "$round $name $busy $(echo "$line" | field median_ms) $(echo "$line" | field p10_ms) $(echo "$line" | field p90_ms) $(echo "$line" | field thread_mix)" | tee -a "$out"
  }
  theirs() {  # NAME BUSY THREADS
    start_loops "$2"
    local line; line=$("$ort" 1.0 224 "$3" "$runs" | grep '^RESULT')
    stop_loops
    echo "$round $1 $2 $(echo "$line" | field median_ms) $(echo "$line" | field p10_ms) $(echo "$line" | field p90_ms) $3x$runs" | tee -a "$out"
  }
  for busy in 0 1 2; do
    ours default "$busy" --
    if [ "$busy" = 0 ]; then  # the quiet settings the default is compared with
      ours 1T-libgomp 0 GOMP_SPINCOUNT=300000 -- --threads 1
      ours 2T-libgomp 0 GOMP_SPINCOUNT=300000 -- --threads 2
      ours 2T-active 0 OMP_WAIT_POLICY=ACTIVE -- --threads 2
      ours 2T-passive 0 OMP_WAIT_POLICY=PASSIVE -- --threads 2
      ours 2T-spin1k 0 GOMP_SPINCOUNT=1000 -- --threads 2
    fi
    if [ -x "$ort" ]; then theirs ort-1T "$busy" 1; theirs ort-2T "$busy" 2; fi
  done
  exit 0
fi

all=$(mktemp); trap 'rm -f "$all"' EXIT
echo "round setting busy median_ms p10_ms p90_ms passes_per_thread_count"
for r in $(seq 1 "$rounds"); do flock "$lock" "$0" --round "$r" "$runs" "$all" "$build"; done

# Medians over rounds of every (setting, busy) figure, then the targets.
awk '
function med(s,   a, n, i, j, t) { n = split(s, a, " "); for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
  return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
{ k = $2 " " $3; m[k] = m[k] " " $4; p10[k] = p10[k] " " $5; p90[k] = p90[k] " " $6; if (!(k in seen)) { seen[k] = 1; order[++n] = k } }
END {
  printf "\nmedians over rounds (ms)\n%-12s %4s %9s %9s %9s\n", "setting", "busy", "median", "p10", "p90"
  for (i = 1; i <= n; i++) { k = order[i]; split(k, kk, " "); M[k] = med(m[k]); P90[k] = med(p90[k])
    printf "%-12s %4s %9.3f %9.3f %9.3f\n", kk[1], kk[2], M[k], med(p10[k]), P90[k] }
  best = 1e9; for (k in M) if (k ~ / 0$/ && k !~ /^ort/ && M[k] < best) { best = M[k]; bestk = k }
  one = M["1T-libgomp 0"]
  printf "\nours (default policy), quiet 1-thread median %.3f ms, best quiet median %.3f ms (%s)\n", one, best, bestk
  f1 = M["default 0"] / best; f2 = M["default 1"] / one; f3 = P90["default 2"] / one
  printf "  1. quiet median %.3f ms = %.2fx best quiet          (target <= 1.1x)  %s\n", M["default 0"], f1, f1 <= 1.1 ? "PASS" : "FAIL"
  printf "  2. 1 busy loop median %.3f ms = %.2fx quiet 1T     (target <= 1.2x)  %s\n", M["default 1"], f2, f2 <= 1.2 ? "PASS" : "FAIL"
  printf "  3. 2 busy loops p90 %.3f ms = %.2fx quiet 1T       (target <= 2x)    %s\n", P90["default 2"], f3, f3 <= 2 ? "PASS" : "FAIL"
  if (("ort-1T 0") in M) {
    o1 = M["ort-1T 0"]; ob = M["ort-1T 0"] < M["ort-2T 0"] ? M["ort-1T 0"] : M["ort-2T 0"]
    printf "ORT, quiet 1-thread median %.3f ms, best quiet %.3f ms\n", o1, ob
    for (t = 1; t <= 2; t++) { s = "ort-" t "T"
      printf "  %dT: quiet median %.3f (%.2fx best)  1 busy median %.3f (%.2fx 1T)  2 busy p90 %.3f (%.2fx 1T)\n", t,
        M[s " 0"], M[s " 0"] / ob, M[s " 1"], M[s " 1"] / o1, P90[s " 2"], P90[s " 2"] / o1 }
  }
}' "$all"
