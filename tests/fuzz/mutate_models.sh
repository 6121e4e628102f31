#!/usr/bin/env bash
# Mutation sweep of a Keras HDF5 model through the importer: every mutant must end in a
# clean one-line error (or load), never in an abort, a crash or a sanitizer report.
#
#   tests/fuzz/mutate_models.sh [-n COUNT] [-s SEED] [-m MODEL.h5] [-i IMAGE] CLI
#
# CLI is a mobilenet-cli, ideally from an ASan+UBSan build (-DMOBILENET_SANITIZE=ON),
# or the fuzz_keras_h5 libFuzzer binary (build-fuzz, a faster runner of the same importer).
# With mobilenet-cli each mutant runs through `CLI info --models-dir DIR` (the probe) and
# `CLI classify --model MUTANT IMAGE` (the full load). Mutants are made at run time in a
# temp dir from a copy of the model (default ../shared/models/keras/mobilenet_v1_0.25_224.h5),
# deterministically from SEED, mostly in HDF5 metadata: the superblock, object headers,
# symbol table nodes, B-trees, local and global heaps (byte flips, length fields
# inflated to huge values, zeroed fields), plus truncations and a few random flips.
# Prints per-kind counts and exits 1 when any mutant ended badly (kept in the temp dir).
set -euo pipefail

count=300
seed=11
root="$(cd "$(dirname "$0")/../.." && pwd)"
model="$root/../shared/models/keras/mobilenet_v1_0.25_224.h5"
image="$root/../shared/images/photos/grace_hopper.jpg"
while getopts "n:s:m:i:" opt; do
  case "$opt" in
    n) count="$OPTARG" ;;
    s) seed="$OPTARG" ;;
    m) model="$OPTARG" ;;
    i) image="$OPTARG" ;;
    *) echo "usage: $0 [-n COUNT] [-s SEED] [-m MODEL.h5] [-i IMAGE] CLI" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || { echo "usage: $0 [-n COUNT] [-s SEED] [-m MODEL.h5] [-i IMAGE] CLI" >&2; exit 2; }
cli="$1"
[ -x "$cli" ] || { echo "error: $cli: not an executable" >&2; exit 2; }
[ -f "$model" ] || { echo "error: $model: no such model" >&2; exit 2; }
[ -f "$image" ] || image="$(find "$root/../shared/images/photos" -name '*.jpg' | head -1)"

work="$(mktemp -d /tmp/mutate_models.XXXXXX)"
echo "work dir: $work"
mkdir -p "$work/mutants" "$work/bad"

# Generate the mutants (python3: byte-level edits at parsed metadata offsets).
python3 - "$model" "$work/mutants" "$count" "$seed" <<'PY'
import os, random, re, struct, sys
src, out, count, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
data = open(src, 'rb').read()
rng = random.Random(seed)
n = len(data)
sigs = {s: [m.start() for m in re.finditer(re.escape(s), data)] for s in (b'HEAP', b'TREE', b'SNOD', b'GCOL')}
# Object headers: the addresses symbol table entries point to (SNOD: 8-byte header,
# then 40-byte entries: name offset, object header address, cache type, scratch).
ohdrs = {0x60}
for p in sigs[b'SNOD']:
    k = struct.unpack_from('<H', data, p + 6)[0]
    for e in range(min(k, 64)):
        q = p + 8 + 40 * e + 8
        if q + 8 <= n:
            a = struct.unpack_from('<Q', data, q)[0]
            if 0 < a < n:
                ohdrs.add(a)
ohdrs = sorted(ohdrs)
huge8 = [2**64 - 1, 2**63, 2**40, 2**32 + 7, n * 2, n + 1, 0]
huge4 = [2**32 - 1, 2**31, 2**24, 0]
def region():
    kind = rng.choice(['HEAP', 'TREE', 'SNOD', 'GCOL', 'OHDR', 'OHDR', 'SUPER'])
    if kind == 'OHDR':
        return kind, rng.choice(ohdrs), 96
    if kind == 'SUPER':
        return kind, 0, 0x60 + 40
    return kind, rng.choice(sigs[kind.encode()]), 48 if kind != 'GCOL' else 64
kinds = {}
for i in range(count):
    b = bytearray(data)
    r = rng.random()
    if r < 0.40:
        kind, base, span = region()
        for _ in range(rng.choice([1, 1, 2, 4])):
            p = min(n - 1, base + rng.randrange(span))
            b[p] ^= 1 << rng.randrange(8)
        label = 'flip-' + kind
    elif r < 0.75:
        kind, base, span = region()
        width = rng.choice([8, 8, 4, 2])
        p = min(n - width, base + rng.randrange(span))
        if width == 8:
            struct.pack_into('<Q', b, p, rng.choice(huge8))
        elif width == 4:
            struct.pack_into('<I', b, p, rng.choice(huge4))
        else:
            struct.pack_into('<H', b, p, rng.choice([0xFFFF, 0x8000, 0]))
        label = 'inflate-' + kind
    elif r < 0.85:
        b = b[:rng.choice([rng.randrange(0, 4096), rng.randrange(0, n), n - rng.randrange(1, 4096)])]
        label = 'truncate'
    elif r < 0.92:
        kind, base, span = region()
        p = min(n - 16, base + rng.randrange(span))
        b[p:p + 16] = bytes(16)
        label = 'zero-' + kind
    else:
        for _ in range(rng.choice([1, 8, 64])):
            p = rng.randrange(n)
            b[p] ^= 1 << rng.randrange(8)
        label = 'flip-anywhere'
    kinds[label] = kinds.get(label, 0) + 1
    d = os.path.join(out, '%04d-%s' % (i, label))
    os.makedirs(d)
    open(os.path.join(d, 'model.h5'), 'wb').write(bytes(b))
print('mutants:', count, ' '.join('%s=%d' % kv for kv in sorted(kinds.items())))
PY

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=99}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=98}"
export OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE
total=0 clean_error=0 loaded=0 bad=0
report='Sanitizer|runtime error:|terminate called|Aborted|HDF5-DIAG|out-of-memory|allocation-size-too-big'
record_bad() {  # record_bad NAME STATUS LOG
  bad=$((bad + 1))
  cp "$3" "$work/bad/$1.log"
  echo "BAD: $1 (exit $2): $(grep -m1 -E "ERROR|runtime error|terminate|error:" "$3" || head -1 "$3")"
}
fuzz_runner=0
case "$(basename "$cli")" in fuzz_*) fuzz_runner=1 ;; esac
for d in "$work"/mutants/*/; do
  name="$(basename "$d")"
  before=$bad
  set +e
  if [ "$fuzz_runner" -eq 1 ]; then
    # A libFuzzer binary runs the file once: 0 = loaded or ModelError.
    timeout 120 "$cli" -rss_limit_mb=2048 "$d/model.h5" > "$work/run.log" 2>&1
    s=$?
    set -e
    total=$((total + 1))
    if [ "$s" -ne 0 ] || grep -qE "$report" "$work/run.log"; then record_bad "$name" "$s" "$work/run.log"; else clean_error=$((clean_error + 1)); fi
  else
    timeout 120 "$cli" info --models-dir "$d" > "$work/info.log" 2>&1
    s1=$?
    timeout 120 "$cli" classify --model "$d/model.h5" "$image" > "$work/classify.log" 2>&1
    s2=$?
    set -e
    # info lists unusable files among the models it found: only a crash or a report is bad.
    total=$((total + 2))
    if [ "$s1" -ge 3 ] || grep -qE "$report" "$work/info.log"; then record_bad "$name-info" "$s1" "$work/info.log"; else clean_error=$((clean_error + 1)); fi
    # classify: exit 0 (the damage missed everything used) or exit 1 with exactly one line,
    # the CLI's "mobilenet-cli: <file>: <problem>" error.
    if [ "$s2" -eq 0 ] && ! grep -qE "$report" "$work/classify.log"; then
      loaded=$((loaded + 1))
    elif [ "$s2" -eq 1 ] && ! grep -qE "$report" "$work/classify.log" && [ "$(grep -c '' "$work/classify.log")" -eq 1 ] &&
         grep -qE '^(error|mobilenet-cli): ' "$work/classify.log"; then
      clean_error=$((clean_error + 1))
    else
      record_bad "$name-classify" "$s2" "$work/classify.log"
    fi
  fi
  [ "$bad" -ne "$before" ] || rm -rf "$d"
done
echo "runs: $total  clean: $clean_error  loaded: $loaded  bad: $bad"
[ "$bad" -eq 0 ] || { echo "bad mutants and logs kept in $work"; exit 1; }
rm -rf "$work"
