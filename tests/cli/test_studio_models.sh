#!/usr/bin/env bash
# scripts/studio.sh's first-run model step (`studio.sh models`, which `run` takes before
# starting the app) on a machine without models and without internet:
#   1. the release URL points at a port nobody listens on: a plain "could not reach" line,
#      the hint to File → Download the Official Models…, no model file anywhere, exit 1;
#   2. a local HTTP server (python3) serves a .tgz holding the released 0.25-128 uint8 .tflite
#      (built at run time from ../shared) and the labels: the models are fetched, checked
#      against models/SHA256SUMS and installed into the user data folder the app searches;
#      a second run finds them and downloads nothing.
# Usage: test_studio_models.sh MOBILENET_CLI (in BUILD/bin). Exit 77 = skipped.
set -euo pipefail

cli=$1
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$(cd "$(dirname "$cli")/.." && pwd)
tmp=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# A user with no models: a fresh home, and an empty $MOBILENET_MODELS instead of ../shared.
export HOME=$tmp/home XDG_DATA_HOME=$tmp/home/data XDG_CONFIG_HOME=$tmp/home/config
mkdir -p "$HOME" "$tmp/empty"
export MOBILENET_MODELS=$tmp/empty
export BUILD_DIR=$build
user_models=$XDG_DATA_HOME/MobileNetStudio/mobilenet-studio/models
no_model_files() { [ -z "$(find "$tmp/home" -name '*.tflite' -print -quit)" ]; }
no_staging_left() { [ -z "$(find "$tmp/home" -name '.mobilenet-fetch.*' -print -quit)" ]; }

# --- 1. unreachable --------------------------------------------------------------------
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
rc=0
MOBILENET_RELEASE_URL=http://127.0.0.1:$port/release MOBILENET_LABELS_URL=http://127.0.0.1:$port/labels.txt \
  "$repo/scripts/studio.sh" models >"$tmp/out1" 2>&1 || rc=$?
cat "$tmp/out1"
[ $rc -eq 1 ] || fail "unreachable server: exit $rc, expected 1"
grep -q "no models found" "$tmp/out1" || fail "does not say that no models were found"
grep -q "could not reach 127.0.0.1:$port" "$tmp/out1" || fail "no plain 'could not reach' line"
grep -q "File → Download the Official Models" "$tmp/out1" || fail "no hint to the app's download"
[ "$(grep -c 'fetch_models: download ' "$tmp/out1" || true)" -le 1 ] || fail "kept trying after the server was unreachable"
no_model_files || fail "a model file was left behind"
no_staging_left || fail "a staging folder was left behind"

# --- 2. a local mirror -------------------------------------------------------------------
model="${MOBILENET_SHARED_DIR:-$repo/../shared}/models/tflite/mobilenet_v1_0.25_128_quant.tflite"
if [ ! -f "$model" ]; then
  if [ "${CI:-}" = "true" ]; then fail "missing real data: $model"; fi
  echo "SKIP: missing real data: $model"
  exit 77
fi
mkdir -p "$tmp/srv/src"
cp "$model" "$tmp/srv/src/"
head -c 50000 /dev/urandom >"$tmp/srv/src/mobilenet_v1_0.25_128_quant.ckpt.data-00000-of-00001"
tar -czf "$tmp/srv/archive.tgz" -C "$tmp/srv/src" .
{ echo background; for i in $(seq 1 1000); do echo "class $i"; done; } >"$tmp/srv/labels.txt"
# Every <name>.tgz is answered with the one archive: each installs the same verified file.
python3 - "$tmp/srv" <<'PY' &
import http.server, os, sys
root = sys.argv[1]
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        name = "archive.tgz" if self.path.endswith(".tgz") else "labels.txt" if self.path.endswith("/labels.txt") else None
        if name is None:
            self.send_error(404)
            return
        data = open(os.path.join(root, name), "rb").read()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
with open(os.path.join(root, "port.tmp"), "w") as f:
    f.write(str(server.server_address[1]))
os.rename(os.path.join(root, "port.tmp"), os.path.join(root, "port"))
server.serve_forever()
PY
server_pid=$!
for _ in $(seq 1 100); do [ -f "$tmp/srv/port" ] && break; sleep 0.05; done
[ -f "$tmp/srv/port" ] || fail "the test's HTTP server did not start"
port=$(cat "$tmp/srv/port")
export MOBILENET_RELEASE_URL=http://127.0.0.1:$port/release MOBILENET_LABELS_URL=http://127.0.0.1:$port/labels.txt
rc=0
"$repo/scripts/studio.sh" models >"$tmp/out2" 2>&1 || rc=$?
cat "$tmp/out2"
[ $rc -eq 0 ] || fail "download from the local mirror: exit $rc"
cmp -s "$model" "$user_models/tflite/mobilenet_v1_0.25_128_quant.tflite" || fail "the model was not installed intact"
[ "$(wc -l <"$user_models/labels/imagenet_labels_1001.txt")" -eq 1001 ] || fail "labels not installed"
grep -q "OK        mobilenet_v1_0.25_128_quant.tflite" "$tmp/out2" || fail "the checksum was not checked"
no_staging_left || fail "a staging folder was left behind"
# The CLI searches the user data folder itself (README: search path, 4.), as the app does.
"$cli" models | grep -q "^1 model(s):" || fail "the CLI does not find the installed model in the user data folder"

rc=0
"$repo/scripts/studio.sh" models >"$tmp/out3" 2>&1 || rc=$?
cat "$tmp/out3"
[ $rc -eq 0 ] || fail "second run: exit $rc"
grep -q "1 found on the search path" "$tmp/out3" || fail "second run did not find the installed model"
! grep -q "downloading" "$tmp/out3" || fail "second run downloaded again"
echo "PASS"
