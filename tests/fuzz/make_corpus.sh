#!/usr/bin/env bash
# Builds the libFuzzer seed corpora from the tests' inputs at run time: the real models,
# labels and ground-truth CSVs under ../shared (never copied into the repo) plus the
# small hand-made seeds in tests/fuzz/seeds/. Usage: tests/fuzz/make_corpus.sh OUT_DIR
# Creates OUT_DIR/{tflite,tfjs_manifest,keras_h5,labels,ground_truth_csv}.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 OUT_DIR" >&2; exit 2; }
here="$(cd "$(dirname "$0")" && pwd)"
shared="${MOBILENET_SHARED_DIR:-$here/../../../shared}"
out="$1"
[ -d "$shared/models" ] || { echo "error: $shared/models: no shared models (set MOBILENET_SHARED_DIR)" >&2; exit 1; }
mkdir -p "$out"/{tflite,tfjs_manifest,keras_h5,labels,ground_truth_csv}

# TFLite: the three smallest releases (float32 and uint8; larger ones add no new paths
# and slow every execution down).
for m in mobilenet_v1_0.25_128_quant mobilenet_v1_0.25_224_quant mobilenet_v1_0.25_224; do
  cp "$shared/models/tflite/$m.tflite" "$out/tflite/"
done

# TF.js: the release's model.json (and its metadata.json as a plain JSON seed) and the
# hand-made ones (a tiny Sequential model, manifest variants).
cp "$shared/models/tfjs/mobilenet_v1_0.75_224/model.json" "$out/tfjs_manifest/release_model.json"
cp "$here"/seeds/tfjs_manifest/* "$out/tfjs_manifest/"

# Keras HDF5: the release.
cp "$shared/models/keras/mobilenet_v1_0.25_224.h5" "$out/keras_h5/"

# Labels: both conventions, TF.js metadata.json labels, hand-made edge cases.
cp "$shared/models/labels/imagenet_labels_1000.txt" "$shared/models/labels/imagenet_labels_1001.txt" "$out/labels/"
cp "$shared/models/tfjs/mobilenet_v1_0.75_224/metadata.json" "$out/labels/metadata.json" 2>/dev/null || true
cp "$here"/seeds/labels/* "$out/labels/"

# Ground truth: the labelled sample's CSV, the photos' expected top-1 CSV, hand-made ones.
cp "$shared/images/imagenet-sample/ground_truth.csv" "$out/ground_truth_csv/imagenet_sample.csv"
cp "$shared/images/photos/expected_top1.csv" "$out/ground_truth_csv/photos_expected_top1.csv"
cp "$here"/seeds/ground_truth_csv/* "$out/ground_truth_csv/"

for d in "$out"/*/; do echo "$(basename "$d"): $(ls "$d" | wc -l) seeds, $(du -sh "$d" | cut -f1)"; done
