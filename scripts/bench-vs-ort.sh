#!/usr/bin/env bash
# The whole benchmark table (issue 10): MobileNet v1 over α × resolution × threads, our fp32
# (mobilenet-cli bench) beside ONNX Runtime fp32 (../shared/peers/bench-ort) and our int8
# (mobilenet-cli bench --precision int8, the uint8 release of that α) beside ONNX Runtime
# int8 (../shared/peers/bench-ort-int8). Per configuration: the ratio to the peer and the
# FLOP-bound ratio, time / (2 × mult-adds / peak), with the peak this machine's f32 FMA
# throughput at that thread count as `mobilenet-cli roofline` measures it (cached per machine).
# Rounds are interleaved (every engine of a configuration back to back, then the next
# configuration, then the next round); each cell is the median over rounds of that engine's
# median. A summary gives the geomean and the worst ratio per precision and thread count.
#
# usage: scripts/bench-vs-ort.sh [ROUNDS=3] [RUNS=100] ["ALPHA RES" ...]   (default: all 16 pairs)
#   RUNS is for 1.0-224; smaller networks get proportionally more passes (at most 8×), so
#   every timing loop lasts about as long.
# env: THREADS ("1 2"), PRECISIONS ("fp32 int8"), CLI (build/bin/mobilenet-cli), ORT, ORT_INT8,
#      MODELS (folder of the uint8 .tflite releases), BEFORE (another mobilenet-cli, e.g. an
#      older build: its fp32 time is measured in the same rounds and shown as a column).
# Each timing run holds /tmp/mnv1-bench.lock (shared with the other benchmarks here), so no
# two measurements overlap. The whole grid at the defaults takes about 10 minutes.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
shared=${MOBILENET_SHARED_DIR:-$here/../shared}
cli=${CLI:-$here/build/bin/mobilenet-cli}
ort=${ORT:-$shared/peers/bench-ort}
ort_int8=${ORT_INT8:-$shared/peers/bench-ort-int8}
models=${MODELS:-$shared/models}
before=${BEFORE:-}
threads_list=${THREADS:-1 2}
precisions=${PRECISIONS:-fp32 int8}
lock=/tmp/mnv1-bench.lock
rounds=${1:-3}; runs=${2:-100}; shift $(( $# >= 2 ? 2 : $# ))
configs=("$@")
if [ ${#configs[@]} -eq 0 ]; then
  for a in 1.0 0.75 0.5 0.25; do for r in 224 192 160 128; do configs+=("$a $r"); done; done
fi
[ -x "$cli" ] || { echo "no $cli: build mobilenet-cli first" >&2; exit 1; }
for p in $precisions; do
  case $p in
    fp32) [ -x "$ort" ] || { echo "no $ort" >&2; exit 1; } ;;
    int8) [ -x "$ort_int8" ] || { echo "no $ort_int8" >&2; exit 1; } ;;
    *) echo "unknown precision '$p' (fp32, int8)" >&2; exit 1 ;;
  esac
done
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
med() { grep -o 'median_ms=[0-9.]*' "$1" | cut -d= -f2; }
locked() { flock "$lock" "$@"; }

# Static facts first: mult-adds per configuration, the f32 peak per thread count.
declare -A macs peak
for cfg in "${configs[@]}"; do
  set -- $cfg
  macs[$cfg]=$("$cli" info --alpha "$1" --resolution "$2" | sed -n 's/^Total: \([0-9.]*\) M mult-adds.*/\1/p')
done
for t in $threads_list; do
  peak[$t]=$(locked "$cli" roofline --alpha 0.25 --resolution 128 --threads "$t" --runs 1 |
             sed -n 's/^peak compute *\([0-9.]*\) GFLOP\/s.*/\1/p')
  echo "f32 peak at $t thread(s): ${peak[$t]} GFLOP/s (mobilenet-cli roofline)"
done

# One line per timing: round, config, threads, engine, median.
for round in $(seq "$rounds"); do
  for cfg in "${configs[@]}"; do
    set -- $cfg
    # passes scale with the work: RUNS at 1.0-224's 569 M mult-adds, at most 8×.
    n=$(awk -v r="$runs" -v m="${macs[$cfg]}" 'BEGIN{k=569/m; if(k>8)k=8; if(k<1)k=1; printf "%d", r*k}')
    for t in $threads_list; do
      for p in $precisions; do
        if [ "$p" = fp32 ]; then
          locked "$cli" bench --alpha "$1" --resolution "$2" --threads "$t" --runs "$n" >"$tmp/out"
          echo "$round $1-$2 $t fp32 $(med "$tmp/out")" >>"$tmp/all"
          locked "$ort" "$1" "$2" "$t" "$n" >"$tmp/out"
          echo "$round $1-$2 $t ort $(med "$tmp/out")" >>"$tmp/all"
          if [ -n "$before" ]; then
            locked "$before" bench --alpha "$1" --resolution "$2" --threads "$t" --runs "$n" >"$tmp/out"
            echo "$round $1-$2 $t before $(med "$tmp/out")" >>"$tmp/all"
          fi
        else
          locked "$cli" bench --alpha "$1" --resolution "$2" --threads "$t" --runs "$n" --precision int8 \
            --models-dir "$models" >"$tmp/out"
          echo "$round $1-$2 $t int8 $(med "$tmp/out")" >>"$tmp/all"
          locked "$ort_int8" "$1" "$2" "$t" "$n" >"$tmp/out"
          echo "$round $1-$2 $t ort-int8 $(med "$tmp/out")" >>"$tmp/all"
        fi
      done
      echo "round $round/$rounds  $1-$2  threads $t  done" >&2
    done
  done
done

# The table: medians over rounds, ratios, FLOP-bound ratios; then the summary.
for cfg in "${configs[@]}"; do set -- $cfg; echo "macs $1-$2 ${macs[$cfg]}"; done >"$tmp/facts"
for t in $threads_list; do echo "peak $t ${peak[$t]}"; done >>"$tmp/facts"
awk -v rounds="$rounds" -v with_before="${before:+1}" -v precisions="$precisions" '
  function med(s,  x, n, i, j, t) {
    n = split(s, x, " "); if (n == 0) return 0
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (x[j] + 0 < x[i] + 0) { t = x[i]; x[i] = x[j]; x[j] = t }
    return n % 2 ? x[(n + 1) / 2] : (x[n / 2] + x[n / 2 + 1]) / 2
  }
  function bound(ms, cfg, t) { return ms / (2 * macs[cfg] * 1e6 / (peak[t] * 1e9) * 1e3) }
  function note(key, r, name) {
    sum[key] += log(r); cnt[key]++
    if (r > worst[key]) { worst[key] = r; worst_at[key] = name }
  }
  FNR == NR { if ($1 == "macs") macs[$2] = $3; else peak[$2] = $3; next }
  { k = $2 " " $3; if (!(k in seen)) { seen[k] = 1; order[++nk] = k } v[k, $4] = v[k, $4] " " $5 }
  END {
    fp = index(precisions, "fp32") > 0; i8 = index(precisions, "int8") > 0
    printf "%-10s %3s", "config", "thr"
    if (fp) { printf " | %8s %8s %7s %7s", "fp32 ms", "ort ms", "/ort", "/bound"; if (with_before) printf " %9s %8s", "before ms", "/before" }
    if (i8) printf " | %8s %9s %7s %7s %9s", "int8 ms", "ort-i8 ms", "/ort-i8", "/bound", "fp32/int8"
    printf "\n"
    for (i = 1; i <= nk; i++) {
      k = order[i]; split(k, c, " "); cfg = c[1]; t = c[2]
      printf "%-10s %3s", cfg, t
      if (fp) {
        f = med(v[k, "fp32"]); o = med(v[k, "ort"])
        printf " | %8.3f %8.3f %7.3f %7.2f", f, o, f / o, bound(f, cfg, t); note("fp32 " t, f / o, cfg)
        if (with_before) { b = med(v[k, "before"]); printf " %9.3f %8.3f", b, f / b; note("before " t, f / b, cfg) }
      }
      if (i8) {
        q = med(v[k, "int8"]); oq = med(v[k, "ort-int8"])
        printf " | %8.3f %9.3f %7.3f %7.2f", q, oq, q / oq, bound(q, cfg, t); note("int8 " t, q / oq, cfg)
        if (fp) printf " %9.2f", f / q
      }
      printf "\n"
    }
    printf "summary (median over %d rounds of each engine'"'"'s median; /bound = time over 2*mult-adds/f32 peak):\n", rounds
    split("fp32 int8 before", kinds, " ")
    for (j = 1; j <= 3; j++) for (key in cnt) {
      split(key, kk, " "); if (kk[1] != kinds[j]) continue
      label = kk[1] == "fp32" ? "fp32/ort     " : kk[1] == "int8" ? "int8/ort-int8" : "fp32/before  "
      printf "  %s threads %s: geomean %.3f  worst %.3f (%s)  over %d configurations\n",
             label, kk[2], exp(sum[key] / cnt[key]), worst[key], worst_at[key], cnt[key]
      all[kk[1]] += sum[key]; alln[kk[1]] += cnt[key]
      if (worst[key] > allw[kk[1]]) { allw[kk[1]] = worst[key]; allw_at[kk[1]] = worst_at[key] " " kk[2] "T" }
    }
    for (j = 1; j <= 3; j++) if (alln[kinds[j]] > 0)
      printf "  %-6s all threads: geomean %.3f  worst %.3f (%s)  over %d\n", kinds[j], exp(all[kinds[j]] / alln[kinds[j]]),
             allw[kinds[j]], allw_at[kinds[j]], alln[kinds[j]]
  }' "$tmp/facts" "$tmp/all"
