#!/usr/bin/env bash
# CLI precision contract: --precision fp32|int8|auto, --calibrate DIR, --calibration-images N,
# sweep --precisions. Bad combinations exit 2 with one line naming the flag; int8 of a
# float model calibrates and (eval) reports the change against its fp32 run.
# Usage: test_cli_precision.sh PATH/TO/mobilenet-cli
set -u
cli=${1:?path to mobilenet-cli}
fails=0; passes=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
shared=${MOBILENET_SHARED_DIR:-}

ok()   { passes=$((passes + 1)); }
fail() { fails=$((fails + 1)); echo "FAIL: $*"; }

# expect_usage_error PATTERN ARGS...: exit 2, one line on stderr matching PATTERN, nothing on stdout.
expect_usage_error() {
  local pattern=$1; shift
  "$cli" "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?
  lines=$(wc -l <"$tmp/err")
  if [ "$rc" -eq 2 ] && [ "$lines" -eq 1 ] && [ ! -s "$tmp/out" ] && grep -q -- "$pattern" "$tmp/err"; then ok
  else fail "'$*': rc=$rc stderr-lines=$lines: $(head -c 300 "$tmp/err")"; fi
}

# --- options that need no model
expect_usage_error "--precision" bench --alpha 0.25 --resolution 96 --precision int16
expect_usage_error "--precisions" sweep --alphas 0.25 --resolutions 96 --precisions fp32,auto --no-cache
expect_usage_error "--precisions" sweep --alphas 0.25 --resolutions 96 --precisions fp32,,int8 --no-cache
expect_usage_error "--calibrate" sweep --alphas 0.25 --resolutions 96 --calibrate "$tmp" --no-cache
expect_usage_error "--calibrate" bench --alpha 0.25 --resolution 96 --calibrate "$tmp"
expect_usage_error "--calibrate DIR" sweep --alphas 0.25 --resolutions 96 --precisions int8 --calibration-images 5

# --- sweep with both precisions: one point per precision, random weights calibrated for int8 latency
"$cli" sweep --alphas 0.35 --resolutions 96 --precisions fp32,int8 --runs 2 --threads 1 --no-cache \
  --models-dir "$tmp" --json >"$tmp/sweep.json" || fail "sweep --precisions exited $?"
python3 - "$tmp/sweep.json" <<'PY' && ok || fail "sweep precisions: $(head -c 400 "$tmp/sweep.json")"
import json, sys
p = json.load(open(sys.argv[1]))["points"]
assert [x["precision"] for x in p] == ["f32", "int8"], p
assert all(x["median_ms"] > 0 and x["top1"] is None for x in p), p
PY

# --- bench auto: both precisions measured, the faster one run (no timing assert)
"$cli" bench --alpha 0.35 --resolution 96 --threads 1 --runs 3 --precision auto --models-dir "$tmp" --json \
  >"$tmp/auto.json" || fail "bench --precision auto exited $?"
python3 - "$tmp/auto.json" <<'PY' && ok || fail "bench auto: $(head -c 400 "$tmp/auto.json")"
import json, sys
d = json.load(open(sys.argv[1]))
a = d["auto"]
assert a["measured"] and a["f32_ms"] > 0 and a["int8_ms"] > 0, d
assert a["chosen"] == ("int8" if a["int8_ms"] < a["f32_ms"] else "f32") == d["precision"], d
assert d["precision_choice"] == "auto" and d["precision_reason"], d
PY

float_model=$shared/models/tflite/mobilenet_v1_0.25_224.tflite
uint8_model=$shared/models/tflite/mobilenet_v1_0.25_128_quant.tflite
photos=$shared/images/photos
if [ -n "$shared" ] && [ -f "$float_model" ] && [ -f "$uint8_model" ] && [ -d "$photos" ]; then
  # A float model at int8 needs --calibrate (named in the one-line error).
  expect_usage_error "--calibrate DIR" classify --model "$float_model" --precision int8 "$photos/cat.bmp"
  expect_usage_error "--calibrate DIR" eval --model "$float_model" --precision int8 --images "$photos"
  # --calibrate is for float models at int8/auto only.
  expect_usage_error "already carries" classify --model "$uint8_model" --precision int8 --calibrate "$photos" "$photos/cat.bmp"
  expect_usage_error "--calibrate is for" classify --model "$float_model" --calibrate "$photos" "$photos/cat.bmp"
  expect_usage_error "--calibrate DIR" classify --model "$float_model" --precision int8 --calibration-images 3 "$photos/cat.bmp"

  # Calibration on a few photos; classification at int8.
  mkdir -p "$tmp/calib" "$tmp/eval"
  cp "$photos/grace_hopper.jpg" "$photos/burger.jpg" "$photos/orange.jpg" "$tmp/calib/"
  "$cli" classify --model "$float_model" --precision int8 --calibrate "$tmp/calib" --calibration-images 2 \
    --threads 1 --json "$photos/cat.bmp" >"$tmp/cls.json" || fail "classify int8 calibrated exited $?"
  python3 - "$tmp/cls.json" <<'PY' && ok || fail "classify int8: $(head -c 400 "$tmp/cls.json")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["precision"] == "int8" and d["calibration"]["images"] == 2, d
assert len(d["results"][0]["top"]) == 5, d
PY
  # The uint8 release runs int8 without calibration.
  "$cli" classify --model "$uint8_model" --precision int8 --threads 1 "$photos/cat.bmp" | grep -q "precision int8" \
    && ok || fail "classify uint8 release at int8"
  # Its uint8 output ties at exactly 0: the text stops at the first such row and says so, not
  # "background, tench, goldfish" at 0.00% (burger.jpg: 99.6% cheeseburger, then zeros).
  "$cli" classify --model "$uint8_model" --precision int8 --threads 1 "$photos/burger.jpg" >"$tmp/zeros.txt"
  if grep -q "every other class: 0.00%" "$tmp/zeros.txt" && ! grep -q " 0\.00%  " "$tmp/zeros.txt"; then ok
  else fail "int8 zero rows: $(cat "$tmp/zeros.txt")"; fi

  # eval at int8 of a float model: the fp32 run of the same images beside it.
  cp "$photos/cat.bmp" "$tmp/eval/n02123045_tabby.bmp"
  cp "$photos/g3doc_sparrow.jpg" "$tmp/eval/n01530575_brambling.jpg"
  "$cli" eval --model "$float_model" --precision int8 --calibrate "$tmp/calib" --images "$tmp/eval" --threads 1 \
    --json >"$tmp/eval.json" || fail "eval int8 calibrated exited $?"
  python3 - "$tmp/eval.json" <<'PY' && ok || fail "eval int8: $(head -c 600 "$tmp/eval.json")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["precision"] == "int8" and d["images"] == 2 and d["fp32"]["images"] == 2, d
assert abs(d["top1_change"] - (d["top1"] - d["fp32"]["top1"])) < 1e-9, d
assert 0 <= d["top1_agreement"] <= 100, d
PY
  "$cli" eval --model "$float_model" --precision int8 --calibrate "$tmp/calib" --images "$tmp/eval" --threads 1 \
    | grep -q "int8 - fp32: top-1 [+-]" && ok || fail "eval int8 text reports the change"
elif [ "${CI:-}" = "true" ]; then
  fail "missing real model or photos under '$shared' (CI)"
fi

echo "cli precision: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
