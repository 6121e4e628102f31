#!/usr/bin/env bash
# Side-by-side latency of our int8 path (mobilenet-cli bench --precision int8, the released
# uint8 model), our fp32 path and ONNX Runtime's int8 (../shared/peers/bench-ort-int8) on the
# same shapes. Interleaved rounds, each timing loop running alone; per configuration the
# median over rounds of each engine's median, and the ratios.
# usage: scripts/bench-int8-vs-ort.sh [ROUNDS] [RUNS] ["ALPHA RES" ... | releases]
#   default "1.0 224"; "releases": the five uint8 releases (1.0-224, 0.75-192, 0.5-160,
#   0.25-224, 0.25-128).
# env: CLI, ORT_INT8, MODELS (directory holding the uint8 .tflite files), THREADS ("1 2"),
#      LOCK (a lock file each configuration's three timing loops hold, so measurements of
#      several users of the machine never overlap; default /tmp/mnv1-bench.lock, "" for none).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cli=${CLI:-$here/build/bin/mobilenet-cli}
ort=${ORT_INT8:-$here/../shared/peers/bench-ort-int8}
models=${MODELS:-$here/../shared/models}
lock=${LOCK-/tmp/mnv1-bench.lock}
rounds=${1:-5}; runs=${2:-300}; shift $(( $# >= 2 ? 2 : $# ))
configs=("$@"); [ ${#configs[@]} -eq 0 ] && configs=("1.0 224")
[ "${configs[0]}" = releases ] && configs=("1.0 224" "0.75 192" "0.5 160" "0.25 224" "0.25 128")
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
med() { grep -o 'median_ms=[0-9.]*' "$1" | cut -d= -f2; }
locked() { if [ -n "$lock" ]; then flock "$lock" "$@"; else "$@"; fi; }
one() {  # ALPHA RES THREADS: the three timing loops, back to back
  "$cli" bench --alpha "$1" --resolution "$2" --threads "$3" --runs "$runs" --precision int8 \
    --models-dir "$models" >"$tmp/int8"
  "$ort" "$1" "$2" "$3" "$runs" >"$tmp/ort"
  "$cli" bench --alpha "$1" --resolution "$2" --threads "$3" --runs "$runs" >"$tmp/fp32"
}
export -f one; export cli ort models runs tmp
for round in $(seq "$rounds"); do
  for cfg in "${configs[@]}"; do
    set -- $cfg
    for t in ${THREADS:-1 2}; do
      locked bash -c 'one "$@"' _ "$1" "$2" "$t"
      echo "round $round  $1-$2 threads $t  int8 $(med "$tmp/int8")  ort-int8 $(med "$tmp/ort")  fp32 $(med "$tmp/fp32")" \
        | tee -a "$tmp/all"
    done
  done
done
echo "median over $rounds rounds ($runs runs each):"
awk '{k=$3" threads "$5; a[k]=a[k]" "$7; b[k]=b[k]" "$9; c[k]=c[k]" "$11}
     function med(s,  x,n,i,j,t){n=split(s,x," "); for(i=1;i<=n;i++)for(j=i+1;j<=n;j++)if(x[j]<x[i]){t=x[i];x[i]=x[j];x[j]=t}
       return n%2?x[(n+1)/2]:(x[n/2]+x[n/2+1])/2}
     END{for(k in a){i=med(a[k]); o=med(b[k]); f=med(c[k]);
       printf "  %-18s int8 %7.3f ms  ort-int8 %7.3f ms  fp32 %7.3f ms  int8/ort %.3f  fp32/int8 %.2f\n", k, i, o, f, i/o, f/i}}' \
  "$tmp/all" | sort
