#!/usr/bin/env bash
# Proves the .deb installs and runs on a runtime-only Debian 12 system. Meant for a throwaway
# machine (it purges packages!), as root; the integrator's one command is
#   ../shared/tools/fresh-debian-check 'bash scripts/check-deb.sh'
# Steps: build the .deb (scripts/studio.sh package installs the build dependencies); purge every
# build dependency with --auto-remove, so the libraries they pulled in go too and only a minimal
# runtime system is left (there is no second fresh root, so purging stands in for one); install
# the .deb with apt-get, which must pull every runtime dependency back; then run both programs
# from /usr/bin and check the installed files.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "check-deb: needs root (it installs and purges packages)"; exit 2; }
export DEBIAN_FRONTEND=noninteractive
shared=${MOBILENET_SHARED_DIR:-$(cd .. && pwd)/shared}

step() { echo "== check-deb: $*"; }

step "build the package"
# tee >(cat >&2), not tee /dev/stderr: reopening /dev/stderr truncates a log file it points at.
out=$(./scripts/studio.sh package | tee >(cat >&2))
deb=$(sed -n 's/^== package: //p' <<<"$out")
[ -f "$deb" ] || { echo "check-deb: no .deb built"; exit 1; }
cp "$deb" /tmp/
deb=/tmp/$(basename "$deb")

step "purge the build dependencies (a runtime-only system)"
# The same list scripts/studio.sh installs, read from it so the two cannot drift apart.
mapfile -t build_deps < <(sed -n '/^packages=(/,/^)/p' scripts/studio.sh | sed 's/#.*//' |
                          tr ' ' '\n' | grep -E '^[a-z0-9][a-z0-9.+-]+$' || true)
installed=()
for p in "${build_deps[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' && installed+=("$p")
done
apt-get purge -y -qq --auto-remove "${installed[@]}" >/dev/null
# What is left is reported, not fatal: a base package's Recommends can keep one installed, and
# the proof that matters is below (apt-get pulls the runtime back; ldd and the programs run).
left=$(dpkg-query -W -f='${Package} ${Status}\n' | awk '$NF=="installed" && $1 ~ /-dev$/ {print $1}' | tr '\n' ' ')
[ -z "$left" ] && echo "   no -dev package left" || echo "   note: development packages still installed: $left"
for tool in g++ gcc cmake ninja xvfb-run; do
  command -v "$tool" >/dev/null && echo "   note: $tool still installed"
done
echo "   purged ${#installed[@]} build packages with their automatic dependencies;" \
     "$(dpkg-query -W -f='${Status}\n' | grep -c ' installed$') packages left"

step "apt-get install $deb"
before=$(dpkg-query -W -f='${Status}\n' | grep -c ' installed$')
apt-get install -y -qq "$deb" >/dev/null
after=$(dpkg-query -W -f='${Status}\n' | grep -c ' installed$')
echo "   installed with $((after - before - 1)) runtime dependencies pulled in"
dpkg-query -W -f='   ${Package} ${Version}: Depends ${Depends}\n' mobilenet-studio

step "the installed files"
for f in /usr/bin/mobilenet-studio /usr/bin/mobilenet-cli \
         /usr/share/applications/mobilenet-studio.desktop \
         /usr/share/icons/hicolor/scalable/apps/mobilenet-studio.svg \
         /usr/share/icons/hicolor/256x256/apps/mobilenet-studio.png \
         /usr/share/man/man1/mobilenet-studio.1.gz /usr/share/man/man1/mobilenet-cli.1.gz \
         /usr/share/mobilenet-studio/models/fetch_models.sh \
         /usr/share/mobilenet-studio/models/SHA256SUMS /usr/share/mobilenet-studio/models/README.md; do
  [ -e "$f" ] || { echo "check-deb: missing $f"; exit 1; }
done
for exe in mobilenet-studio mobilenet-cli; do
  if ldd "$(command -v $exe)" | grep 'not found'; then echo "check-deb: $exe has unresolved libraries"; exit 1; fi
done
echo "   all files present; ldd finds every library of both programs"

step "mobilenet-cli from /usr/bin"
src=$(pwd)
cd /tmp   # away from the source tree: nothing may come from it
mobilenet-cli version
mobilenet-cli info --alpha 0.5 --resolution 160 | tail -3
# The install tree's models folder is found from the executable's location: a model placed
# there is listed (and the source tree's models/ holds none).
if [ -f "$shared/models/tflite/mobilenet_v1_0.25_128_quant.tflite" ]; then
  mkdir -p /usr/share/mobilenet-studio/models/tflite
  ln -s "$shared/models/tflite/mobilenet_v1_0.25_128_quant.tflite" /usr/share/mobilenet-studio/models/tflite/
  mobilenet-cli models | tee /tmp/models.txt
  grep -q '/usr/share/mobilenet-studio/models/tflite/mobilenet_v1_0.25_128_quant.tflite' /tmp/models.txt ||
    { echo "check-deb: the install tree's models folder was not searched"; exit 1; }
  if grep -qx "  $src/models" /tmp/models.txt; then
    echo "check-deb: the installed program searches the tree it was built from ($src/models)"; exit 1
  fi
  mobilenet-cli classify --model /usr/share/mobilenet-studio/models/tflite/mobilenet_v1_0.25_128_quant.tflite \
    --labels "$shared/models/labels/imagenet_labels_1001.txt" --top 1 "$shared/images/photos/burger.jpg"
  rm -r /usr/share/mobilenet-studio/models/tflite
  /usr/share/mobilenet-studio/models/fetch_models.sh --verify "$shared/models/tflite" | tail -2
fi

step "mobilenet-studio from /usr/bin under xvfb-run (xvfb and xauth are not the package's dependencies)"
apt-get install -y -qq --no-install-recommends xvfb xauth >/dev/null
args=()
[ -f "$shared/images/photos/burger.jpg" ] && args+=("$shared/images/photos/burger.jpg")
set +e
# timeout inside xvfb-run: the app is stopped after 20 s and xvfb-run still shuts its X server.
MOBILENET_MODELS="$shared/models" xvfb-run -a -s "-screen 0 1280x800x24" \
  timeout 20 mobilenet-studio --settings /tmp/check-deb-settings.ini "${args[@]}" 2>/tmp/studio.err
status=$?
set -e
if grep -i -E 'could not (load|find) the qt platform plugin|cannot open shared object' /tmp/studio.err; then
  echo "check-deb: the app could not load a library or plugin"; exit 1
fi
[ $status -eq 124 ] || { echo "check-deb: mobilenet-studio exited with $status within 20 s"; cat /tmp/studio.err; exit 1; }
echo "   mobilenet-studio ran 20 s until timeout stopped it (status 124)"
echo "check-deb: PASS"
