#!/usr/bin/env bash
# CLI contract: JSON keys, exit status 2 with a one-line error for bad input, never a
# crash or an exception trace. Usage: test_cli.sh PATH/TO/mobilenet-cli
set -u
cli=${1:?path to mobilenet-cli}
fails=0; passes=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

ok()   { passes=$((passes + 1)); }
fail() { fails=$((fails + 1)); echo "FAIL: $*"; }

# expect_usage_error ARGS...: exit 2, exactly one line on stderr, nothing on stdout.
expect_usage_error() {
  "$cli" "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?
  lines=$(wc -l <"$tmp/err")
  if [ "$rc" -eq 2 ] && [ "$lines" -eq 1 ] && [ ! -s "$tmp/out" ]; then ok
  else fail "'$*': rc=$rc stderr-lines=$lines: $(head -c 300 "$tmp/err")"; fi
}

json_get() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval("d" + sys.argv[2]))' "$1" "$2"; }

# --- info: paper totals and JSON shape
"$cli" info --alpha 1.0 --resolution 224 --json >"$tmp/info.json" || fail "info --json exited $?"
[ "$(json_get "$tmp/info.json" "['macs']")" = 568740352 ] && ok || fail "info 1.0-224 macs $(json_get "$tmp/info.json" "['macs']")"
[ "$(json_get "$tmp/info.json" "['params']")" = 4209088 ] && ok || fail "info 1.0-224 params"
[ "$(json_get "$tmp/info.json" "['layers'].__len__()")" = 30 ] && ok || fail "info layers count"
[ "$(json_get "$tmp/info.json" "['layers'][1]['kind']")" = depthwise3x3 ] && ok || fail "info layer 1 kind"
"$cli" info --alpha 1.0 --resolution 224 --standard-conv --json >"$tmp/std.json" || fail "info --standard-conv exited $?"
python3 -c "import json; d=json.load(open('$tmp/std.json')); assert abs(d['macs']/1e6-4866)<5 and abs(d['params']/1e6-29.3)<0.05" && ok || fail "standard-conv totals"
"$cli" info --alpha 0.35 --resolution 100 | grep -q "Total:" && ok || fail "info text output"

# --- bench: keys present and ordered percentiles
"$cli" bench --alpha 0.25 --resolution 96 --threads 1 --batch 2 --runs 5 --per-layer --json >"$tmp/bench.json" \
  || fail "bench exited $?"
python3 - "$tmp/bench.json" <<'PY' && ok || fail "bench JSON"
import json, sys
d = json.load(open(sys.argv[1]))
assert 0 < d["p10_ms"] <= d["median_ms"] <= d["p90_ms"], d
assert d["batch"] == 2 and d["threads"] == 1
assert len(d["layers"]) >= 30 and all(l["impl"] for l in d["layers"])
PY

# --- bench --threads auto (default) --busy: the policy and the busy loops are reported, and
# the loops are gone afterwards (no child of ours left running)
"$cli" bench --alpha 0.25 --resolution 96 --runs 7 --busy 1 --json >"$tmp/busy.json" || fail "bench --busy exited $?"
python3 - "$tmp/busy.json" <<'PY' && ok || fail "bench --busy JSON"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["threads_policy"] == "auto" and d["busy"] == 1, d
assert sum(d["passes_by_threads"].values()) == 7 and 0 < d["p10_ms"] <= d["median_ms"] <= d["p90_ms"], d
assert d["wait_policy"], d
PY
[ -z "$(pgrep -f -- "bench --alpha 0.25 --resolution 96 --runs 7 --busy 1" || true)" ] && ok || fail "busy loops left running"

# --- the wait policy: applied by a re-exec when the user set no OpenMP variable; left alone
# (no re-exec, which would inherit libgomp's one-CPU binding) when the user set OMP_PROC_BIND
env -u OMP_WAIT_POLICY -u GOMP_SPINCOUNT "$cli" bench --alpha 0.25 --resolution 96 --runs 3 --threads 2 --json \
  >"$tmp/wait.json" || fail "bench (app wait policy) exited $?"
env -u OMP_WAIT_POLICY -u GOMP_SPINCOUNT OMP_PROC_BIND=true "$cli" bench --alpha 0.25 --resolution 96 --runs 3 \
  --threads 2 --json >"$tmp/bind.json" || fail "bench (OMP_PROC_BIND) exited $?"
python3 - "$tmp/wait.json" "$tmp/bind.json" <<'PY' && ok || fail "wait policy with and without OMP_PROC_BIND"
import json, sys
applied, bound = (json.load(open(p)) for p in sys.argv[1:3])
assert applied["wait_policy"] == "GOMP_SPINCOUNT=1000 (app default)", applied["wait_policy"]
assert bound["wait_policy"] == "libgomp default (not applied: OMP_PROC_BIND set)", bound["wait_policy"]
PY

# --- usage errors: exit 2, one line
expect_usage_error
expect_usage_error frobnicate
expect_usage_error info --alpha 0 --resolution 224
expect_usage_error info --alpha -1
expect_usage_error info --alpha 1.6
expect_usage_error info --alpha abc
expect_usage_error info --resolution 31
expect_usage_error info --resolution 1025
expect_usage_error info --alpha
expect_usage_error info --bogus 3
expect_usage_error bench --alpha 0.5 --resolution 160 --threads -1
expect_usage_error bench --alpha 0.5 --batch 0
expect_usage_error bench --runs x
expect_usage_error bench --busy -1
expect_usage_error bench --threads many
expect_usage_error classify
expect_usage_error eval --ground-truth x.csv   # --images is required
expect_usage_error classify --crop diagonal x.jpg
expect_usage_error sweep --alphas 0.5,abc
expect_usage_error sweep --alphas 0.5,,1.0
expect_usage_error sweep --alphas 2.0
expect_usage_error sweep --resolutions 128.5
expect_usage_error sweep --resolutions 16
expect_usage_error sweep --threads 0
expect_usage_error sweep --runs 0
expect_usage_error sweep --cache "$tmp/c" --no-cache
expect_usage_error sweep --ground-truth x.csv
expect_usage_error sweep --crop diagonal
expect_usage_error sweep extra

# --- sweep: JSON keys, cache hit on rerun, CSV output (latency only, random weights)
sweep_args=(sweep --alphas 0.25,0.5 --resolutions 96,128 --runs 3 --cache "$tmp/sweep-cache")
"$cli" "${sweep_args[@]}" --json --csv "$tmp/sweep.csv" >"$tmp/sweep1.json" || fail "sweep exited $?"
"$cli" "${sweep_args[@]}" --json >"$tmp/sweep2.json" || fail "sweep rerun exited $?"
python3 - "$tmp/sweep1.json" "$tmp/sweep2.json" "$tmp/sweep.csv" <<'PY' && ok || fail "sweep JSON/CSV"
import csv, json, sys
first, second = (json.load(open(p)) for p in sys.argv[1:3])
keys = {"alpha", "resolution", "macs", "params", "median_ms", "p10_ms", "p90_ms", "threads", "weights",
        "native_resolution", "top1", "top5", "precision", "batch", "images", "from_cache"}
assert {"points", "machine", "seconds"} <= set(first), first.keys()
assert [(p["alpha"], p["resolution"]) for p in first["points"]] == [(0.25, 96), (0.25, 128), (0.5, 96), (0.5, 128)]
for p, q in zip(first["points"], second["points"]):
    assert keys <= set(p), keys - set(p)
    assert p["weights"] is None and p["top1"] is None and p["top5"] is None and p["threads"] == 1
    assert 0 < p["p10_ms"] <= p["median_ms"] <= p["p90_ms"]
    assert not p["from_cache"] and q["from_cache"] and q["median_ms"] == p["median_ms"]
assert first["points"][0]["macs"] == 7745152
rows = list(csv.DictReader(open(sys.argv[3])))
assert len(rows) == 4 and rows[0]["macs"] == "7745152" and rows[0]["weights"] == "", rows
PY
"$cli" sweep --alphas 0.25 --resolutions 96 --runs 2 --no-cache | grep -q "random" && ok || fail "sweep text output"
"$cli" sweep --alphas 0.25 --resolutions 96 --runs 2 --no-cache --images "$tmp/no-such-dir" >"$tmp/out" 2>"$tmp/err"; rc=$?
{ [ "$rc" -eq 1 ] && grep -q "no-such-dir" "$tmp/err"; } && ok || fail "sweep missing images: rc=$rc $(cat "$tmp/err")"

# --- roofline: the issue's JSON keys, the cached peaks on a rerun, usage errors
expect_usage_error roofline --alpha 0 --resolution 224
expect_usage_error roofline --resolution 16
expect_usage_error roofline --threads 0
expect_usage_error roofline --batch 0
expect_usage_error roofline --runs 0
expect_usage_error roofline --runs x
expect_usage_error roofline --cache "$tmp/c" --no-cache
expect_usage_error roofline --bogus
expect_usage_error roofline extra
roof_args=(roofline --alpha 0.25 --resolution 96 --threads 1 --runs 3 --cache "$tmp/roof-cache")
"$cli" "${roof_args[@]}" --json >"$tmp/roof1.json" || fail "roofline exited $?"
"$cli" "${roof_args[@]}" --json >"$tmp/roof2.json" || fail "roofline rerun exited $?"
python3 - "$tmp/roof1.json" "$tmp/roof2.json" <<'PY' && ok || fail "roofline JSON"
import json, sys
first, second = (json.load(open(p)) for p in sys.argv[1:3])
assert {"peak_gflops", "bandwidth_gbs", "layers", "isa", "threads", "peak_gflops_per_core"} <= set(first), first.keys()
assert first["peak_gflops"] > 0 and first["bandwidth_gbs"] > 0 and first["threads"] == 1
assert not first["peaks_from_cache"] and second["peaks_from_cache"]
assert second["peak_gflops"] == first["peak_gflops"] and second["bandwidth_gbs"] == first["bandwidth_gbs"]
assert len(first["layers"]) == 30
for l in first["layers"]:
    assert {"name", "macs", "bytes", "intensity", "ms", "gflops", "kind", "roof_gflops", "bound"} <= set(l), l
    assert l["bytes"] > 0 and l["ms"] > 0
    assert l["roof_gflops"] == min(first["peak_gflops"], first["bandwidth_gbs"] * l["intensity"])
    assert abs(l["gflops"] - 2 * l["macs"] / (l["ms"] * 1e6)) <= 1e-9 * max(1, l["gflops"])
assert first["layers"][0]["name"] == "conv0" and first["layers"][0]["macs"] == 3*3*3*8*48*48
assert {k["kind"] for k in first["by_kind"]} == {"conv0", "depthwise", "pointwise", "pool/fc"}
PY
"$cli" roofline --alpha 0.25 --resolution 96 --threads 1 --runs 2 --cache "$tmp/roof-cache" | grep -q "GB/s" \
  && ok || fail "roofline text output"

# --- runtime errors: exit 1 with a message naming the file, no trace
"$cli" classify --model "$tmp/missing.tflite" x.jpg >"$tmp/out" 2>"$tmp/err"; rc=$?
{ [ "$rc" -eq 1 ] && grep -q "missing.tflite" "$tmp/err"; } && ok || fail "missing model: rc=$rc $(cat "$tmp/err")"
head -c 1000 /dev/urandom >"$tmp/noise.tflite"
"$cli" classify --model "$tmp/noise.tflite" x.jpg >"$tmp/out" 2>"$tmp/err"; rc=$?
{ [ "$rc" -eq 1 ] && grep -q "noise.tflite" "$tmp/err"; } && ok || fail "random-bytes model: rc=$rc $(cat "$tmp/err")"

# --- eval over a folder with a corrupt and a missing file: both skipped and listed, run goes on
shared=${MOBILENET_SHARED_DIR:-}
model="$shared/models/tflite/mobilenet_v1_0.25_224.tflite"
if [ -f "$model" ]; then
  mkdir -p "$tmp/imgs"
  cp "$shared/images/photos/burger.jpg" "$shared/images/photos/bird.bmp" "$tmp/imgs/"
  head -c 3000 "$shared/images/photos/parrot.jpg" >"$tmp/imgs/cut.jpg"
  printf 'file,index_1001\nburger.jpg,934\nbird.bmp,20\ncut.jpg,89\nmissing.png,1\n' >"$tmp/gt.csv"
  "$cli" eval --model "$model" --images "$tmp/imgs" --ground-truth "$tmp/gt.csv" --threads 1 --json >"$tmp/eval.json" \
    || fail "eval exited $?"
  python3 - "$tmp/eval.json" <<'PY' && ok || fail "eval skip accounting: $(cat "$tmp/eval.json")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["images"] == 2 and d["skipped"] == 2, d
assert d["top1"] == 100.0 and d["top5"] == 100.0, d
# 2 of 2 right still leaves a wide 95 % (Wilson) interval: 34.2-100 %.
assert abs(d["top1_ci95"][0] - 34.24) < 0.01 and d["top1_ci95"][1] == 100.0, d
assert any("cut.jpg" in s for s in d["skipped_files"]) and any("missing.png" in s for s in d["skipped_files"])
PY
  # Without --ground-truth the folder's own source is found and reported: wnids in file names here.
  mkdir -p "$tmp/wnid-imgs"
  cp "$shared/images/imagenet-sample/n01440764_tench.JPEG" "$tmp/wnid-imgs/"
  cp "$shared/images/photos/burger.jpg" "$tmp/wnid-imgs/"
  "$cli" eval --model "$model" --images "$tmp/wnid-imgs" --threads 1 --json >"$tmp/eval2.json" || fail "eval (found truth) exited $?"
  python3 - "$tmp/eval2.json" <<'PY' && ok || fail "eval truth source: $(cat "$tmp/eval2.json")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["truth_source"] == "wnid-in-file-name" and d["matched"] == 1 and d["unmatched"] == 1, d
assert d["unmatched_files"] == ["burger.jpg"] and d["images"] == 1, d
PY
  "$cli" eval --model "$model" --images "$tmp/wnid-imgs" --threads 1 | grep -q "ground truth: wnids in file names.*1 matched, 1 unmatched" \
    && ok || fail "eval text names the truth source"
  # classify names the class a file is labelled with (here by the wnid in its name), with its rank.
  "$cli" classify --model "$model" --threads 1 --json "$tmp/wnid-imgs/n01440764_tench.JPEG" "$tmp/wnid-imgs/burger.jpg" \
    >"$tmp/labelled.json" || fail "classify (labelled) exited $?"
  python3 - "$tmp/labelled.json" <<'PY' && ok || fail "classify labelled class: $(cat "$tmp/labelled.json")"
import json, sys
r = json.load(open(sys.argv[1]))["results"]
l = r[0]["labelled"]
assert l["index"] == 1 and l["source"] == "wnid in the file name" and l["label"].startswith("tench"), l
assert l["rank"] >= 1 and (l["rank"] == 1) == (r[0]["top"][0]["index"] == 1), r[0]
assert "labelled" not in r[1], r[1]
PY
  # A sweep with accuracy: weights only for alpha 0.25 (one model given), top-1 present only there.
  mkdir -p "$tmp/one-model"; ln -s "$model" "$tmp/one-model/"
  "$cli" sweep --alphas 0.25,0.5 --resolutions 96 --runs 2 --no-cache --models-dir "$tmp/one-model" \
    --images "$tmp/wnid-imgs" --json >"$tmp/sweep3.json" || fail "sweep with images exited $?"
  python3 - "$tmp/sweep3.json" <<'PY' && ok || fail "sweep accuracy: $(cat "$tmp/sweep3.json")"
import json, sys
a, b = json.load(open(sys.argv[1]))["points"]
assert a["weights"].endswith("mobilenet_v1_0.25_224.tflite") and a["native_resolution"] == 224 and a["images"] == 1
assert a["top1"] is not None and a["top5"] is not None
assert b["weights"] is None and b["top1"] is None and b["images"] == 0
PY
elif [ "${CI:-}" = "true" ]; then
  fail "missing real model $model (CI)"
fi

echo "cli: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
