#!/usr/bin/env bash
# Side-by-side latency of mobilenet-cli bench (oneDNN) and ONNX Runtime on the same shapes.
# Interleaved rounds; each engine's timing loop runs alone (no pipe consumer starts during
# it: on 2 cores that alone skews sub-millisecond configurations). Prints per-round
# medians and, per configuration, the median over rounds and ours/ORT.
# usage: scripts/bench-vs-ort.sh [ROUNDS] [RUNS]     (needs node/npm for the ORT peer)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cli=${CLI:-$here/build/bin/mobilenet-cli}
ort=${ORT:-$here/../shared/peers/bench-ort}
rounds=${1:-5}; runs=${2:-300}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for round in $(seq "$rounds"); do
  for cfg in "1.0 224" "0.5 160" "0.25 128"; do
    set -- $cfg
    for t in 1 2; do
      "$cli" bench --alpha "$1" --resolution "$2" --threads "$t" --runs "$runs" >"$tmp/ours"
      "$ort" "$1" "$2" "$t" "$runs" >"$tmp/ort"
      o=$(grep -o 'median_ms=[0-9.]*' "$tmp/ours" | cut -d= -f2)
      r=$(grep -o 'median_ms=[0-9.]*' "$tmp/ort" | cut -d= -f2)
      echo "round $round  $1-$2 threads $t  onednn $o  ort $r" | tee -a "$tmp/all"
    done
  done
done
echo "median over $rounds rounds:"
awk '{k=$3" threads "$5; o[k]=o[k]" "$7; r[k]=r[k]" "$9}
     function med(s,  a,n,i,j,t){n=split(s,a," "); for(i=1;i<=n;i++)for(j=i+1;j<=n;j++)if(a[j]<a[i]){t=a[i];a[i]=a[j];a[j]=t}
       return n%2?a[(n+1)/2]:(a[n/2]+a[n/2+1])/2}
     END{for(k in o){mo=med(o[k]); mr=med(r[k]); printf "  %-20s onednn %8.3f ms  ort %8.3f ms  ratio %.3f\n", k, mo, mr, mo/mr}}' "$tmp/all" | sort
