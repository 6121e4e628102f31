#!/usr/bin/env bash
# Issue 11's bad-input table, CLI half: one row per (command, argument slot, bad input
# class) with the exit status it must end with, a pattern its message must match and a
# time it must finish within (a hang is a failure, never a wait). Every bad input is made
# here at run time in a temp dir (FIFOs, bombs, truncated and patched copies of the real
# models); nothing is committed. Error rows also demand exactly one line on stderr (no
# library chatter, no exception trace). Usage: test_bad_inputs.sh PATH/TO/mobilenet-cli
# Needs the real models under $MOBILENET_SHARED_DIR; without them it skips, or fails under CI=true.
set -u
cli=${1:?path to mobilenet-cli}
shared=${MOBILENET_SHARED_DIR:-}
model="$shared/models/tflite/mobilenet_v1_0.25_224.tflite"
if [ ! -f "$model" ]; then
  if [ "${CI:-}" = "true" ]; then echo "FAIL: missing real model $model (CI)"; exit 1; fi
  echo "SKIP: no real model at $model (set MOBILENET_SHARED_DIR)"; exit 0
fi
tmp=$(mktemp -d)
trap 'chmod -R u+rwX "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
rows=0 fails=0 skips=0

# --- the fixtures -------------------------------------------------------------------
d=$tmp/in
mkdir -p "$d" "$d/a-dir" "$d/out"
photo="$shared/images/imagenet-sample/n01440764_tench.JPEG"   # class 1 (1001 convention)
labels="$shared/models/labels/imagenet_labels_1001.txt"
cp "$photo" "$d/good.jpg"
mkfifo "$d/fifo.jpg" "$d/fifo.tflite" "$d/fifo.txt" "$d/fifo.csv"
ln -s /dev/zero "$d/zero.jpg"
ln -s loop-b "$d/loop-a.jpg"; ln -s loop-a.jpg "$d/loop-b"
ln -s loop-b "$d/loop.tflite"
long="$d/$(printf 'x%.0s' $(seq 300)).jpg"                      # one name over NAME_MAX (255)
deep="$d$(printf '/%0250d' $(seq 20))/x.jpg"                   # a path over PATH_MAX (4096)
cp "$photo" "$d/unreadable.jpg"; chmod 000 "$d/unreadable.jpg"
cp "$model" "$d/unreadable.tflite"; chmod 000 "$d/unreadable.tflite"
: >"$d/empty.jpg"; : >"$d/empty.tflite"; : >"$d/empty.txt"; : >"$d/empty.csv"
head -c 3000 "$photo" >"$d/cut.jpg"
head -c 200000 "$model" >"$d/cut.tflite"
head -c 1000 /dev/urandom >"$d/noise.tflite"
nonutf8=$(printf 'n01440764_t\xffnch.jpg')                      # not UTF-8 (and a wnid for eval)
cp "$photo" "$d/$nonutf8"
# Bombs, a corrupt PNG, a JPEG whose header claims 30000 x 30000, a NaN / Inf weight.
python3 - "$d" "$photo" <<'PY' || { echo "FAIL: cannot make the image fixtures"; exit 1; }
import struct, sys, zlib, os
out, photo = sys.argv[1], sys.argv[2]
def png(path, w, h, bitdepth, colortype, idat):
    chunk = lambda t, b: struct.pack('>I', len(b)) + t + b + struct.pack('>I', zlib.crc32(t + b) & 0xffffffff)
    with open(path, 'wb') as f:
        f.write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, bitdepth, colortype, 0, 0, 0))
                + chunk(b'IDAT', idat) + chunk(b'IEND', b''))
n = 30000   # 900 Mpx from ~110 KB: 1-bit grey rows of zeros
c = zlib.compressobj(9)
row = bytes(1 + n // 8)
png(os.path.join(out, 'bomb.png'), n, n, 1, 0, b''.join([c.compress(row) for _ in range(n)] + [c.flush()]))
small = zlib.compress(b''.join(b'\0' + bytes((x * y) & 255 for x in range(64)) for y in range(64)))
png(os.path.join(out, 'small.png'), 64, 64, 8, 0, small)
data = bytearray(open(os.path.join(out, 'small.png'), 'rb').read())
i = data.index(b'IDAT') + 14
for k in range(i, i + 40): data[k] ^= 0x5A             # damaged pixel data (and CRC mismatch)
open(os.path.join(out, 'corrupt.png'), 'wb').write(bytes(data))
jpg = bytearray(open(photo, 'rb').read())
p = 2
while p + 4 <= len(jpg):
    marker, length = jpg[p + 1], struct.unpack('>H', jpg[p + 2:p + 4])[0]
    if marker in (0xC0, 0xC1, 0xC2):
        jpg[p + 5:p + 9] = struct.pack('>HH', n, n); break
    p += 2 + length
else:
    sys.exit('no SOF marker')
open(os.path.join(out, 'bomb.jpg'), 'wb').write(bytes(jpg))
PY
# nan_weight SRC DST VALUE: a copy of a float TFLite flatbuffer with one weight of its
# largest buffer (the classifier's) set to VALUE, found by walking Model.buffers.
nan_weight() {
  python3 - "$@" <<'PY'
import struct, sys
src, dst, value = sys.argv[1], sys.argv[2], float(sys.argv[3])
buf = bytearray(open(src, 'rb').read())
u32 = lambda o: struct.unpack_from('<I', buf, o)[0]
def field(table, index):
    vt = table - struct.unpack_from('<i', buf, table)[0]
    if 4 + 2 * index >= struct.unpack_from('<H', buf, vt)[0]: return None
    off = struct.unpack_from('<H', buf, vt + 4 + 2 * index)[0]
    return table + off if off else None
def vector(at):
    v = at + u32(at); return v + 4, u32(v)
start, count = vector(field(u32(0), 4))                 # Model.buffers
best = (0, 0)
for i in range(count):
    b = start + 4 * i; b += u32(b)
    f = field(b, 0)                                      # Buffer.data
    if f: s, n = vector(f); best = max(best, (n, s))
n, s = best
assert n > 4096, 'no weight buffer found'
struct.pack_into('<f', buf, s + 4 * (n // 8), value)
open(dst, 'wb').write(bytes(buf))
PY
}
nan_weight "$model" "$d/nan.tflite" nan || { echo "FAIL: cannot patch a NaN into the model"; exit 1; }
nan_weight "$model" "$d/inf.tflite" inf || { echo "FAIL: cannot patch an Inf into the model"; exit 1; }
h5="$shared/models/keras/mobilenet_v1_0.25_224.h5"
head -c 100000 "$h5" >"$d/cut.h5"
cp "$h5" "$d/corrupt.h5"; chmod u+w "$d/corrupt.h5"
printf '\x13\x37\xff\xff\xff\xff\xff\x7f%.0s' $(seq 64) | dd of="$d/corrupt.h5" bs=1 seek=96 conv=notrunc status=none
tfjs="$shared/models/tfjs/mobilenet_v1_0.75_224"
for v in cut-json no-shard; do
  mkdir -p "$d/tfjs-$v"
  for f in "$tfjs"/*; do ln -s "$f" "$d/tfjs-$v/"; done
done
rm "$d/tfjs-cut-json/model.json"; head -c 2000 "$tfjs/model.json" >"$d/tfjs-cut-json/model.json"
rm "$d/tfjs-no-shard/group7-shard1of1"
# Labels: one line too many (the issue's "class 401 prints as accordion"); a non-UTF-8 one.
{ echo "extra line"; cat "$labels"; } >"$d/labels-1002.txt"
sed '2s/.*/t\xffnch/' "$labels" >"$d/labels-nonutf8.txt"
# Image folders and ground truth for eval.
# imgs/: one good image and a FIFO and a device whose names carry wnids (so the folder's
# own ground truth matches them and eval must try, and skip, them).
mkdir -p "$d/imgs"; cp "$photo" "$d/imgs/tench.jpg"
ln -s "$d/fifo.jpg" "$d/imgs/n01443537_fifo.jpg"; ln -s /dev/zero "$d/imgs/n01484850_zero.jpg"
cp "$photo" "$d/imgs/n01440764_tench.jpg"
gt() { printf '%b' "$2" >"$d/$1"; }
gt gt.csv 'file,index_1001\ntench.jpg,1\n'
gt gt-header.csv 'file,index_1001\n'
gt gt-bom.csv '\xef\xbb\xbffile,index_1001\ntench.jpg,1\n'
gt gt-disagree.csv 'file,index_1000,index_1001\ntench.jpg,0,401\n'
gt gt-dotdot.csv 'file,index_1001\ntench.jpg,1\n../good.jpg,1\n'
gt gt-absolute.csv "file,index_1001\ntench.jpg,1\n$d/good.jpg,1\n"
gt gt-missing.csv 'file,index_1001\nnot-here-1.jpg,1\nnot-here-2.jpg,1\n'
gt gt-fifo.csv 'file,index_1001\ntench.jpg,1\nn01443537_fifo.jpg,2\n'
gt gt-zero.csv 'file,index_1001\ntench.jpg,1\nn01484850_zero.jpg,3\n'
mkdir -p "$d/bad-imgs"; cp "$d/cut.jpg" "$d/corrupt.png" "$d/bad-imgs/"
gt bad-imgs/ground_truth.csv 'file,index_1001\ncut.jpg,1\ncorrupt.png,1\n'
mkdir -p "$d/utf-imgs"; cp "$photo" "$d/utf-imgs/$nonutf8"
mkdir -p "$d/calib"; cp "$photo" "$d/calib/"; ln -s "$d/fifo.jpg" "$d/calib/fifo.jpg"
# Models folders: one with traps (FIFO, device, loop, a truncated model), one non-UTF-8 name.
mkdir -p "$d/models-one" "$d/models-traps"; ln -s "$model" "$d/models-one/"; ln -s "$model" "$d/models-traps/"
ln -s "$d/fifo.tflite" "$d/models-traps/fifo.tflite"; ln -s /dev/zero "$d/models-traps/zero.tflite"
ln -s loop.tflite "$d/models-traps/loop.tflite"; cp "$d/cut.tflite" "$d/models-traps/"
utf_models="$d/$(printf 'mod\xffels')"; mkdir -p "$utf_models"; ln -s "$model" "$utf_models/"
echo "old contents" >"$d/out/kept.csv"; cp "$d/out/kept.csv" "$d/out/kept.orig"
# Output files go to /dev/full through a link: the same device and error, but a
# regression to "rename a temp file over the target" then replaces the link in $tmp,
# not /dev/full itself (which, run as root, it would).
[ -c /dev/full ] || { echo "FAIL: /dev/full is not a character device (something replaced it)"; exit 1; }
ln -s /dev/full "$d/out/full.csv"
mkdir -p "$d/cache"

# --- the runner -----------------------------------------------------------------------
# row NAME STATUS PATTERN [LIMIT_S] -- ARGS...: runs mobilenet-cli ARGS (stdin /dev/null,
# stdout to $OUT or a file, at most LIMIT_S seconds, default 30) and passes when
#  - it exits with STATUS (124 = stopped by the time limit: a hang, unless STATUS is 124),
#  - STATUS != 0: stderr is exactly one line and matches PATTERN (grep -iE),
#  - STATUS == 0: stdout matches PATTERN, and is valid JSON when ARGS has --json,
#  - $THEN (a shell condition, optional; "$out" is the row's stdout) holds afterwards,
#  - $MAXRSS_MB (optional): peak memory stayed under it.
# Rows run two at a time (results printed in order at the end); a row with $THEN runs
# alone, after all before it, since its condition looks at shared files.
results=$tmp/results; mkdir -p "$results"
run_row() {
  local n=$1 name=$2 want=$3 pattern=$4 limit=$5
  shift 5
  local out=${OUT:-$results/$n.out} err=$results/$n.err rss=$results/$n.rss why=""
  local t0=$(date +%s%N)
  /usr/bin/time -f %M -o "$rss" timeout -k 5 "$limit" "$cli" "$@" </dev/null >"$out" 2>"$err"
  local rc=$? ms=$((($(date +%s%N) - t0) / 1000000))
  if [ "$rc" -ne "$want" ]; then
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then why="did not finish within $limit s"
    else why="exit $rc, expected $want"; fi
  elif [ "$want" -eq 124 ]; then :  # stopped by the time limit on purpose: only $THEN counts
  elif [ "$want" -ne 0 ]; then
    local lines=$(wc -l <"$err")
    if [ "$lines" -ne 1 ]; then why="$lines lines on stderr, expected one"
    elif ! grep -qiE -- "$pattern" "$err"; then why="stderr does not match /$pattern/"; fi
  else
    if ! grep -qiE -- "$pattern" "$out"; then why="stdout does not match /$pattern/"
    elif [[ " $* " == *" --json "* ]] && ! python3 -c 'import json,sys; json.load(open(sys.argv[1], encoding="utf-8"))' "$out" 2>/dev/null
    then why="stdout is not valid UTF-8 JSON"; fi
  fi
  if [ -z "$why" ] && [ -n "${MAXRSS_MB:-}" ]; then
    local kb=$(tail -1 "$rss")
    [ "$kb" -lt $((MAXRSS_MB * 1024)) ] || why="peak memory $((kb / 1024)) MB, limit $MAXRSS_MB MB"
  fi
  if [ -z "$why" ] && [ -n "${THEN:-}" ] && ! eval "$THEN"; then why="afterwards: $THEN does not hold"; fi
  if [ -z "$why" ]; then
    printf 'pass %3d  %-62s %6d ms\n' "$n" "$name" "$ms" >"$results/$n.line"
  else
    { printf 'FAIL %3d  %-62s %6d ms  %s\n' "$n" "$name" "$ms" "$why"
      head -c 400 "$err" | sed 's/^/          stderr: /'; echo; } >"$results/$n.line"
  fi
}
row() {
  local name=$1 want=$2 pattern=$3 limit=30
  shift 3
  if [ "$1" != "--" ]; then limit=$1; shift; fi
  shift
  rows=$((rows + 1))
  if [ -n "${THEN:-}" ]; then
    wait
    run_row "$rows" "$name" "$want" "$pattern" "$limit" "$@"
  else
    while [ "$(jobs -rp | wc -l)" -ge 2 ]; do wait -n; done
    run_row "$rows" "$name" "$want" "$pattern" "$limit" "$@" &
  fi
}
skip_row() { rows=$((rows + 1)); skips=$((skips + 1)); printf 'skip %3d  %-62s %s\n' "$rows" "$1" "$2" >"$results/$rows.line"; }

c=(classify --model "$model" --threads 1)
e=(eval --model "$model" --threads 1 --batch 1)
root=$([ "$(id -u)" -eq 0 ] && echo 1 || echo 0)

# --- classify IMAGE -------------------------------------------------------------------
row "classify IMAGE: missing file"              1 'missing\.jpg: .*no such file'        -- "${c[@]}" "$d/missing.jpg"
row "classify IMAGE: directory"                 1 'a-dir: .*directory'                  -- "${c[@]}" "$d/a-dir"
row "classify IMAGE: FIFO"                      1 'fifo\.jpg: .*(fifo|pipe|regular)'    10 -- "${c[@]}" "$d/fifo.jpg"
row "classify IMAGE: /dev/zero"                 1 '/dev/zero: .*(device|regular)'       10 -- "${c[@]}" /dev/zero
row "classify IMAGE: link to /dev/zero"         1 'zero\.jpg: .*(device|regular)'       10 -- "${c[@]}" "$d/zero.jpg"
row "classify IMAGE: symlink loop"              1 'loop-a\.jpg: .*symbolic links'       -- "${c[@]}" "$d/loop-a.jpg"
row "classify IMAGE: name too long"             1 'x\.jpg: .*too long'                  -- "${c[@]}" "$long"
row "classify IMAGE: path too long"             1 'x\.jpg: .*too long'                  -- "${c[@]}" "$deep"
if [ "$root" -eq 1 ]; then skip_row "classify IMAGE: unreadable" "running as root (reads anything)"
else row "classify IMAGE: unreadable"           1 'unreadable\.jpg: .*permission denied' -- "${c[@]}" "$d/unreadable.jpg"; fi
row "classify IMAGE: empty file"                1 'empty\.jpg: .*empty'                 -- "${c[@]}" "$d/empty.jpg"
row "classify IMAGE: truncated JPEG"            1 'cut\.jpg: '                          -- "${c[@]}" "$d/cut.jpg"
row "classify IMAGE: corrupt PNG"               1 'corrupt\.png: '                      -- "${c[@]}" "$d/corrupt.png"
MAXRSS_MB=300 \
row "classify IMAGE: PNG bomb 30000x30000"      1 'bomb\.png: .*30000'                  -- "${c[@]}" "$d/bomb.png"
MAXRSS_MB=300 \
row "classify IMAGE: JPEG bomb 30000x30000"     1 'bomb\.jpg: .*30000'                  -- "${c[@]}" "$d/bomb.jpg"
row "classify IMAGE: non-UTF-8 name, --json"    0 '"image": ".*nch\.jpg"'               -- "${c[@]}" --json "$d/$nonutf8"
THEN='grep -q "good.jpg" "$out"' \
row "classify IMAGE: one bad of two still classifies the other" 1 'fifo\.jpg' 10 -- "${c[@]}" "$d/good.jpg" "$d/fifo.jpg"

# --- classify --model -----------------------------------------------------------------
m=(classify --threads 1 "$d/good.jpg" --model)
row "classify --model: missing file"            1 'missing\.tflite: .*no such file'     -- "${m[@]}" "$d/missing.tflite"
row "classify --model: directory"               1 'a-dir: .*directory'                  -- "${m[@]}" "$d/a-dir"
row "classify --model: FIFO"                    1 'fifo\.tflite: .*(fifo|pipe|regular)' 10 -- "${m[@]}" "$d/fifo.tflite"
row "classify --model: /dev/zero"               1 '/dev/zero: '                         10 -- "${m[@]}" /dev/zero
row "classify --model: symlink loop"            1 'loop\.tflite: .*symbolic links'      -- "${m[@]}" "$d/loop.tflite"
row "classify --model: path too long"           1 'x\.jpg: .*too long'                  -- "${m[@]}" "$deep"
if [ "$root" -eq 1 ]; then skip_row "classify --model: unreadable" "running as root (reads anything)"
else row "classify --model: unreadable"         1 'unreadable\.tflite: .*permission denied' -- "${m[@]}" "$d/unreadable.tflite"; fi
row "classify --model: empty .tflite"           1 'empty\.tflite: '                     -- "${m[@]}" "$d/empty.tflite"
row "classify --model: truncated .tflite"       1 'cut\.tflite: '                       -- "${m[@]}" "$d/cut.tflite"
row "classify --model: random bytes .tflite"    1 'noise\.tflite: '                     -- "${m[@]}" "$d/noise.tflite"
row "classify --model: NaN weight (float TFLite)" 1 'nan\.tflite: .*(nan|non-finite|not finite)' -- "${m[@]}" "$d/nan.tflite"
row "classify --model: Inf weight (float TFLite)" 1 'inf\.tflite: .*(inf|non-finite|not finite)' -- "${m[@]}" "$d/inf.tflite"
row "classify --model: truncated .h5"           1 'cut\.h5: '                           -- "${m[@]}" "$d/cut.h5"
row "classify --model: corrupt .h5 header"      1 'corrupt\.h5: '                       -- "${m[@]}" "$d/corrupt.h5"
row "classify --model: truncated model.json"    1 'model\.json: '                       -- "${m[@]}" "$d/tfjs-cut-json/model.json"
row "classify --model: model.json, shard missing" 1 'group7-shard1of1'                  -- "${m[@]}" "$d/tfjs-no-shard/model.json"

# --- classify --labels ----------------------------------------------------------------
l=(classify --model "$model" --threads 1 "$d/good.jpg" --labels)
row "classify --labels: missing file"           1 'missing\.txt: .*no such file'        -- "${l[@]}" "$d/missing.txt"
row "classify --labels: directory"              1 'a-dir: .*directory'                  -- "${l[@]}" "$d/a-dir"
row "classify --labels: FIFO"                   1 'fifo\.txt: .*(fifo|pipe|regular)'    10 -- "${l[@]}" "$d/fifo.txt"
row "classify --labels: /dev/zero"              1 '/dev/zero: '                         10 -- "${l[@]}" /dev/zero
row "classify --labels: empty file"             1 'empty\.txt: '                        -- "${l[@]}" "$d/empty.txt"
row "classify --labels: one line too many"      1 'labels-1002\.txt: .*1002.*100[01]|labels-1002\.txt: .*100[01].*1002' -- "${l[@]}" "$d/labels-1002.txt"
row "classify --labels: non-UTF-8 label, --json" 0 '"label": "t.*nch"'                  -- "${l[@]}" "$d/labels-nonutf8.txt" --json

# --- eval --images / --ground-truth / rows --------------------------------------------
row "eval --images: missing folder"             1 'missing-dir: '                       -- "${e[@]}" --images "$d/missing-dir"
row "eval --images: a file"                     1 'good\.jpg: .*directory'              -- "${e[@]}" --images "$d/good.jpg"
row "eval --images: FIFO"                       1 'fifo\.jpg: .*directory'              10 -- "${e[@]}" --images "$d/fifo.jpg"
row "eval --images: every image unreadable"     1 'nothing'                             -- "${e[@]}" --images "$d/bad-imgs"
g=("${e[@]}" --images "$d/imgs" --ground-truth)
row "eval --ground-truth: missing file"         1 'missing\.csv: .*no such file'        -- "${g[@]}" "$d/missing.csv"
row "eval --ground-truth: directory"            1 'a-dir: .*directory'                  -- "${g[@]}" "$d/a-dir"
row "eval --ground-truth: FIFO"                 1 'fifo\.csv: .*(fifo|pipe|regular)'    10 -- "${g[@]}" "$d/fifo.csv"
row "eval --ground-truth: /dev/zero"            1 '/dev/zero: '                         10 -- "${g[@]}" /dev/zero
row "eval --ground-truth: empty file"           1 'empty\.csv: '                        -- "${g[@]}" "$d/empty.csv"
row "eval --ground-truth: header only"          1 'gt-header\.csv: |nothing'            -- "${g[@]}" "$d/gt-header.csv"
row "eval --ground-truth: UTF-8 BOM"            0 '"images": 1,'                        -- "${g[@]}" "$d/gt-bom.csv" --json
row "eval --ground-truth: index_1000/1001 disagree" 1 'gt-disagree\.csv: .*(line 2|row 2|tench)' -- "${g[@]}" "$d/gt-disagree.csv"
# A row reaching outside --images is skipped and named, not read (the rest is evaluated).
row "eval --ground-truth: ../ row (skipped, named)" 0 '"\.\./good\.jpg: [^"]*\.\.'         -- "${g[@]}" "$d/gt-dotdot.csv" --json
row "eval --ground-truth: absolute row (skipped, named)" 0 'good\.jpg: [^"]*absolute'    -- "${g[@]}" "$d/gt-absolute.csv" --json
row "eval --ground-truth: all listed files missing" 1 'nothing'                          -- "${g[@]}" "$d/gt-missing.csv"
row "eval CSV row: FIFO skipped, the rest evaluated" 0 'fifo\.jpg'                      10 -- "${g[@]}" "$d/gt-fifo.csv" --json
row "eval CSV row: /dev/zero skipped, the rest evaluated" 0 'zero\.jpg'                 10 -- "${g[@]}" "$d/gt-zero.csv" --json
row "eval --images: FIFO and device in the folder" 0 '"images": 1,'                     10 -- "${e[@]}" --images "$d/imgs" --json
row "eval --images: non-UTF-8 file name, --json" 0 '"images": 1,'                       -- "${e[@]}" --images "$d/utf-imgs" --json

# --- eval --per-image OUT: nothing lost -----------------------------------------------
p=("${e[@]}" --images "$d/imgs" --ground-truth "$d/gt.csv" --per-image)
row "eval --per-image: /dev/full (via a link)"  1 'full\.csv: .*no space left'          -- "${p[@]}" "$d/out/full.csv"
row "eval --per-image: a directory"             1 'a-dir: .*directory'                  -- "${p[@]}" "$d/a-dir"
row "eval --per-image: folder missing"          1 'nowhere/x\.csv: '                    -- "${p[@]}" "$d/nowhere/x.csv"
THEN='cmp -s "$d/out/kept.csv" "$d/out/kept.orig"' \
row "eval --per-image: kept intact when the run fails" 1 'nothing' -- "${e[@]}" --images "$d/imgs" --ground-truth "$d/gt-missing.csv" --per-image "$d/out/kept.csv"
THEN='grep -q "^tench.jpg,1," "$d/out/kept.csv" && [ -z "$(ls -A "$d/out" | grep "^\.")" ]' \
row "eval --per-image: replaced on success, no temp left" 0 'top-1' -- "${p[@]}" "$d/out/kept.csv"
cp "$d/out/kept.orig" "$d/out/kept.csv"
THEN='cmp -s "$d/out/kept.csv" "$d/out/kept.orig"' \
row "eval --per-image: kept intact when the run is killed" 124 '' 2 -- eval --model "$shared/models/tflite/mobilenet_v1_1.0_224_quant.tflite" \
    --threads 1 --batch 1 --images "$shared/images/imagenet-sample" --per-image "$d/out/kept.csv"
# (the row above expects the time limit: it kills a 500-image evaluation at 1.0-224 on one
# thread, several seconds of work even on a fast quiet machine, midway on purpose)

# --- --models-dir ---------------------------------------------------------------------
for cmd in "models" "classify $d/good.jpg" "eval --images $d/imgs" "bench --precision int8 --runs 1" "sweep --alphas 0.25 --resolutions 96 --runs 1 --no-cache --images $d/imgs"; do
  # shellcheck disable=SC2086
  row "${cmd%% *} --models-dir: missing folder"  1 'no-models: .*no such'               -- $cmd --models-dir "$d/no-models"
done
row "models --models-dir: a file"               1 'good\.jpg: .*not a directory'        -- models --models-dir "$d/good.jpg"
row "models --models-dir: FIFO, device, loop, truncated model inside" 0 'cut\.tflite' 20 -- models --models-dir "$d/models-traps" --json
row "models --models-dir: non-UTF-8 folder name, --json" 0 '"path": ".*mobilenet_v1_0.25_224' -- models --models-dir "$utf_models" --json

# --- stray arguments: exit 2 like every other usage error -----------------------------
for cmd in models info bench eval sweep roofline version help; do
  row "$cmd extra-arg"                           2 "unexpected argument 'extra-arg'"    -- $cmd extra-arg
done

# --- standard output on a full disk ---------------------------------------------------
full=(1 'writing standard output: no space left on device')
OUT=/dev/full row "info > /dev/full"                      "${full[@]}" -- info
OUT=/dev/full row "info --json > /dev/full"               "${full[@]}" -- info --json
OUT=/dev/full row "models --json > /dev/full"             "${full[@]}" -- models --models-dir "$d/models-one" --json
OUT=/dev/full row "version > /dev/full"                   "${full[@]}" -- version
OUT=/dev/full row "classify --json > /dev/full"           "${full[@]}" -- "${c[@]}" --json "$d/good.jpg"
OUT=/dev/full row "eval > /dev/full"                      "${full[@]}" -- "${e[@]}" --images "$d/imgs" --ground-truth "$d/gt.csv"
OUT=/dev/full row "bench --json > /dev/full"              "${full[@]}" -- bench --alpha 0.25 --resolution 96 --threads 1 --runs 2 --json
OUT=/dev/full row "sweep > /dev/full"                     "${full[@]}" -- sweep --alphas 0.25 --resolutions 96 --runs 1 --no-cache
OUT=/dev/full row "roofline --json > /dev/full"           "${full[@]}" 60 -- roofline --alpha 0.25 --resolution 96 --runs 1 --cache "$d/cache" --json

# --- sweep: --csv OUT and the inputs it reads -----------------------------------------
s=(sweep --alphas 0.25 --resolutions 96 --runs 1 --no-cache)
row "sweep --csv: /dev/full (via a link)"       1 'full\.csv: .*no space left'          -- "${s[@]}" --csv "$d/out/full.csv"
row "sweep --csv: a directory (before the runs)" 1 'a-dir: .*directory'                 -- "${s[@]}" --csv "$d/a-dir"
cp "$d/out/kept.orig" "$d/out/kept.csv"
THEN='cmp -s "$d/out/kept.csv" "$d/out/kept.orig"' \
row "sweep --csv: kept intact when the run fails" 1 'missing-dir'                       -- "${s[@]}" --images "$d/missing-dir" --csv "$d/out/kept.csv"
row "sweep --images: FIFO and device in the folder" 0 '"images": 1,'                    20 -- "${s[@]}" --models-dir "$d/models-traps" --images "$d/imgs" --json
row "sweep: non-UTF-8 weights path, --json"     0 '"weights": ".*mobilenet_v1_0.25_224' 20 -- "${s[@]}" --models-dir "$utf_models" --images "$d/imgs" --json
row "sweep --calibrate: FIFO in the folder"     0 'calibrated'                          30 -- "${s[@]}" --precisions int8 --models-dir "$d/models-one" --images "$d/imgs" --ground-truth "$d/gt.csv" --calibrate "$d/calib"

# --- bench and classify --calibrate ---------------------------------------------------
row "bench --model: FIFO (int8)"                1 'fifo\.tflite: .*(fifo|pipe|regular)' 10 -- bench --precision int8 --runs 1 --model "$d/fifo.tflite"
row "bench --model: NaN weight (int8 calibration)" 1 'nan\.tflite: '                    -- bench --precision int8 --runs 1 --model "$d/nan.tflite" --calibrate "$d/calib"
row "classify --calibrate: missing folder"      1 'no-calib'                            -- "${c[@]}" --precision int8 --calibrate "$d/no-calib" "$d/good.jpg"
row "classify --calibrate: FIFO in the folder"  0 'calibrated int8 on 1 image'          30 -- "${c[@]}" --precision int8 --calibrate "$d/calib" "$d/good.jpg"

# --- roofline: its only file input is the cache ---------------------------------------
row "roofline --cache: a file, not a folder"    0 'GB/s'                                60 -- roofline --alpha 0.25 --resolution 96 --runs 1 --cache "$d/good.jpg"

wait
for n in $(seq "$rows"); do cat "$results/$n.line"; done
fails=$(grep -l '^FAIL' "$results"/*.line | wc -l)
echo "bad inputs (CLI): $rows rows, $((rows - fails - skips)) passed, $fails failed, $skips skipped"
for n in $(seq "$rows"); do grep -h '^FAIL' "$results/$n.line"; done | sed 's/^FAIL */  failed row /; s/  *[0-9]* ms .*//' 
[ "$fails" -eq 0 ]
