#!/usr/bin/env bash
# The install tree: `cmake --install` into a temporary prefix puts both programs, the desktop
# entry, the icons, the manual pages and the models search folder in place; the installed
# programs find a model placed in <prefix>/share/mobilenet-studio/models from their own
# location (not from a build-time path); the installed fetch_models.sh finds its checksums;
# mobilenet-studio --help works without a display.
# Usage: test_install.sh BUILD_DIR GUI(ON|OFF)
set -u
build=${1:?build directory}
gui=${2:-ON}
fails=0; passes=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
ok()   { passes=$((passes + 1)); }
fail() { fails=$((fails + 1)); echo "FAIL: $*"; }

prefix=$tmp/prefix
cmake --install "$build" --prefix "$prefix" >"$tmp/install.log" 2>&1 || { cat "$tmp/install.log"; echo "FAIL: cmake --install"; exit 1; }

files=(bin/mobilenet-cli share/man/man1/mobilenet-cli.1.gz
       share/mobilenet-studio/models/fetch_models.sh share/mobilenet-studio/models/SHA256SUMS
       share/mobilenet-studio/models/README.md)
[ "$gui" = ON ] && files+=(bin/mobilenet-studio share/applications/mobilenet-studio.desktop
                           share/icons/hicolor/scalable/apps/mobilenet-studio.svg
                           share/icons/hicolor/256x256/apps/mobilenet-studio.png
                           share/man/man1/mobilenet-studio.1.gz)
for f in "${files[@]}"; do [ -s "$prefix/$f" ] && ok || fail "not installed: $f"; done
[ -x "$prefix/share/mobilenet-studio/models/fetch_models.sh" ] && ok || fail "fetch_models.sh is not executable"
gzip -t "$prefix/share/man/man1/mobilenet-cli.1.gz" && ok || fail "mobilenet-cli.1.gz is not gzip"
if [ "$gui" = ON ]; then
  desktop=$prefix/share/applications/mobilenet-studio.desktop
  for key in '^Exec=mobilenet-studio %F$' '^Icon=mobilenet-studio$' '^Type=Application$' \
             '^Categories=.*Science' '^MimeType=.*image/jpeg.*image/png'; do
    grep -q -E "$key" "$desktop" && ok || fail "desktop entry lacks $key"
  done
  if command -v desktop-file-validate >/dev/null; then
    desktop-file-validate "$desktop" | grep -v ': hint:' | grep . && fail "desktop-file-validate" || ok
  fi
fi

# A model placed in the install tree's models folder is found, from a directory that has no
# models/ of its own, with no flag or environment pointing there.
shared=${MOBILENET_SHARED_DIR:-}
model=$shared/models/tflite/mobilenet_v1_0.25_128_quant.tflite
if [ -f "$model" ]; then
  mkdir -p "$prefix/share/mobilenet-studio/models/tflite"
  cp "$model" "$prefix/share/mobilenet-studio/models/tflite/"
  (cd "$tmp" && env -u MOBILENET_MODELS "$prefix/bin/mobilenet-cli" models) >"$tmp/models.txt" 2>&1
  grep -q "$prefix/share/mobilenet-studio/models/tflite/mobilenet_v1_0.25_128_quant.tflite" "$tmp/models.txt" &&
    ok || fail "installed mobilenet-cli does not search <prefix>/share/mobilenet-studio/models: $(cat "$tmp/models.txt")"
  "$prefix/share/mobilenet-studio/models/fetch_models.sh" --verify "$prefix/share/mobilenet-studio/models/tflite" \
    >"$tmp/verify.txt" 2>&1 && grep -q '1 ok, 0 mismatching' "$tmp/verify.txt" &&
    ok || fail "installed fetch_models.sh --verify: $(tail -2 "$tmp/verify.txt")"
elif [ "${CI:-}" = true ]; then
  fail "missing real data: $model"
fi

if [ "$gui" = ON ]; then
  out=$(cd "$tmp" && env -u DISPLAY -u WAYLAND_DISPLAY -u QT_QPA_PLATFORM "$prefix/bin/mobilenet-studio" --help 2>/dev/null)
  rc=$?
  [ $rc -eq 0 ] && grep -q -- '--models' <<<"$out" && ok || fail "mobilenet-studio --help without a display: rc=$rc"
fi

echo "test_install: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
