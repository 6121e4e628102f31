#!/usr/bin/env bash
# Downloads the official MobileNet v1 TFLite models (TF-slim release
# mobilenet_v1_2018_08_02: 4 widths x 4 resolutions, float and uint8) and a
# 1001-class ImageNet labels file, keeps only the .tflite files, and verifies them
# against SHA256SUMS (next to this script).
#
#   fetch_models.sh [options] [TARGET_DIR]    download into TARGET_DIR (default: this dir)
#   fetch_models.sh --verify DIR              check the .tflite files in DIR offline
#
# Layout written (the same as ../shared/models, which model discovery understands):
#   TARGET_DIR/tflite/mobilenet_v1_<alpha>_<res>[_quant].tflite
#   TARGET_DIR/labels/imagenet_labels_1001.txt
#
# Options:
#   --only LIST       comma-separated <alpha>_<res> pairs, e.g. 0.25_224,1.0_224
#   --float           float models only        --quant   uint8 models only
#   --no-verify       warn instead of failing on a checksum mismatch
#   --force           download again even when a verified file is present
#   --verify DIR      verify DIR (and DIR/tflite) against SHA256SUMS, no download
#   -h, --help
# Environment: MOBILENET_RELEASE_URL, MOBILENET_LABELS_URL override the sources (mirrors).
# Exit status: 0 all good, 1 a download/verification failure, 2 usage error.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SUMS_FILE="${SCRIPT_DIR}/SHA256SUMS"
RELEASE_URL="${MOBILENET_RELEASE_URL:-https://storage.googleapis.com/download.tensorflow.org/models/mobilenet_v1_2018_08_02}"
LABELS_URL="${MOBILENET_LABELS_URL:-https://storage.googleapis.com/download.tensorflow.org/data/ImageNetLabels.txt}"
LABELS_NAME="imagenet_labels_1001.txt"
ALPHAS=(1.0 0.75 0.5 0.25)
RESOLUTIONS=(224 192 160 128)

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }
die() { echo "fetch_models: error: $*" >&2; exit 1; }
warn() { echo "fetch_models: warning: $*" >&2; }
info() { echo "fetch_models: $*"; }

command -v sha256sum >/dev/null || die "sha256sum not found (coreutils)"

# --- checksums --------------------------------------------------------------
declare -A PINNED=()   # file name -> space-separated accepted sums
load_sums() {
  [[ -f "$SUMS_FILE" ]] || { warn "no ${SUMS_FILE}: nothing is pinned"; return; }
  local sum name
  while read -r sum name; do
    [[ -z "$sum" || "$sum" == \#* ]] && continue
    name="${name#\*}"  # binary-mode marker of sha256sum
    [[ "$sum" =~ ^[0-9a-f]{64}$ ]] || { warn "ignoring malformed line in SHA256SUMS: $sum $name"; continue; }
    PINNED["$name"]+="$sum "
  done < "$SUMS_FILE"
}

# check_file PATH -> prints a status line; returns 0 ok, 1 mismatch, 3 not pinned
check_file() {
  local path="$1" name actual
  name="$(basename "$path")"
  actual="$(sha256sum "$path" | cut -d' ' -f1)"
  if [[ -z "${PINNED[$name]:-}" ]]; then
    warn "no pinned checksum for ${name} (sha256 ${actual})"
    return 3
  fi
  if [[ " ${PINNED[$name]} " == *" ${actual} "* ]]; then
    info "OK        ${name}"
    return 0
  fi
  echo "fetch_models: MISMATCH  ${name}: sha256 ${actual}, expected one of: ${PINNED[$name]}" >&2
  return 1
}

verify_dir() {
  local dir="$1" files=() f rc status=0 ok=0 bad=0 unpinned=0
  [[ -d "$dir" ]] || die "--verify: ${dir} is not a directory"
  shopt -s nullglob
  files=("$dir"/*.tflite "$dir"/tflite/*.tflite)
  shopt -u nullglob
  [[ ${#files[@]} -gt 0 ]] || die "--verify: no .tflite files in ${dir} or ${dir}/tflite"
  for f in "${files[@]}"; do
    rc=0; check_file "$f" || rc=$?
    case $rc in
      0) ok=$((ok + 1)) ;;
      3) unpinned=$((unpinned + 1)) ;;
      *) bad=$((bad + 1)); status=1 ;;
    esac
  done
  info "verified ${dir}: ${ok} ok, ${bad} mismatching, ${unpinned} without a pinned checksum"
  return $status
}

# --- downloading ------------------------------------------------------------
host_of() { local h="${1#*://}"; echo "${h%%/*}"; }
fetch() {  # fetch URL DEST; stops the script when the server cannot be reached at all
  local rc=0
  if command -v curl >/dev/null; then
    curl -fL --retry 3 --connect-timeout 20 -sS -o "$2" "$1" || rc=$?
    # 5/6: proxy/host name not resolved, 7: no connection, 28: timed out, 35: TLS failed.
    case $rc in
      5|6|7|28|35) die "could not reach $(host_of "$1") (curl exit ${rc}, see above): no network? Nothing more was tried" ;;
    esac
  elif command -v wget >/dev/null; then
    wget -q --tries=3 --timeout=20 -O "$2" "$1" || rc=$?
    [[ $rc -ne 4 ]] || die "could not reach $(host_of "$1") (wget: network failure): no network? Nothing more was tried"
  else
    die "neither curl nor wget is installed"
  fi
  return $rc
}

# --- arguments --------------------------------------------------------------
TARGET="$SCRIPT_DIR"
VERIFY_DIR=""
ENFORCE=1
FORCE=0
WANT_FLOAT=1
WANT_QUANT=1
ONLY=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --verify) [[ $# -ge 2 ]] || { echo "--verify needs a directory" >&2; exit 2; }; VERIFY_DIR="$2"; shift 2 ;;
    --verify=*) VERIFY_DIR="${1#*=}"; shift ;;
    --no-verify) ENFORCE=0; shift ;;
    --force) FORCE=1; shift ;;
    --float) WANT_QUANT=0; shift ;;
    --quant) WANT_FLOAT=0; shift ;;
    --only) [[ $# -ge 2 ]] || { echo "--only needs a list" >&2; exit 2; }; ONLY="$2"; shift 2 ;;
    --only=*) ONLY="${1#*=}"; shift ;;
    -*) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
    *) TARGET="$1"; shift ;;
  esac
done
[[ $WANT_FLOAT -eq 1 || $WANT_QUANT -eq 1 ]] || { echo "--float and --quant exclude each other" >&2; exit 2; }

load_sums

if [[ -n "$VERIFY_DIR" ]]; then
  verify_dir "$VERIFY_DIR"
  exit $?
fi

# The α×ρ pairs to fetch.
PAIRS=()
for a in "${ALPHAS[@]}"; do
  for r in "${RESOLUTIONS[@]}"; do
    if [[ -z "$ONLY" || ",${ONLY}," == *",${a}_${r},"* ]]; then PAIRS+=("${a}_${r}"); fi
  done
done
[[ ${#PAIRS[@]} -gt 0 ]] || { echo "--only ${ONLY}: no such pair (alpha ${ALPHAS[*]} x resolution ${RESOLUTIONS[*]})" >&2; exit 2; }
command -v tar >/dev/null || die "tar not found"

mkdir -p "$TARGET/tflite" "$TARGET/labels"
# The work folder sits beside TARGET (same file system, outside the folders model discovery
# scans), so that installing a verified file is one atomic rename: a scan never sees half a file.
TARGET_ABS="$(cd "$TARGET" && pwd)"
WORK="$(mktemp -d "$(dirname "$TARGET_ABS")/.mobilenet-fetch.XXXXXX" 2>/dev/null)" || {
  warn "cannot write beside ${TARGET_ABS}: working in ${TMPDIR:-/tmp} (installs are copies, not renames)"
  WORK="$(mktemp -d "${TMPDIR:-/tmp}/mobilenet-fetch.XXXXXX")"
}
trap 'rm -rf "$WORK"' EXIT

failures=0
unpinned=0
install_checked() {  # install_checked SRC NAME: verify then move into TARGET/tflite
  local src="$1" name="$2" rc=0
  check_file "$src" || rc=$?
  if [[ $rc -eq 1 ]]; then
    if [[ $ENFORCE -eq 1 ]]; then
      warn "not installing ${name} (checksum mismatch; --no-verify to accept it)"
      failures=$((failures + 1))
      return
    fi
    warn "installing ${name} despite the mismatch (--no-verify)"
  elif [[ $rc -eq 3 ]]; then
    unpinned=$((unpinned + 1))
  fi
  mv -f "$src" "$TARGET/tflite/$name"
}

for pair in "${PAIRS[@]}"; do
  variants=()
  [[ $WANT_FLOAT -eq 1 ]] && variants+=("mobilenet_v1_${pair}")
  [[ $WANT_QUANT -eq 1 ]] && variants+=("mobilenet_v1_${pair}_quant")
  for base in "${variants[@]}"; do
    name="${base}.tflite"
    dest="$TARGET/tflite/$name"
    if [[ $FORCE -eq 0 && -f "$dest" ]]; then
      rc=0; check_file "$dest" >/dev/null 2>&1 || rc=$?
      if [[ $rc -eq 0 ]]; then info "present   ${name}"; continue; fi
    fi
    info "download  ${base}.tgz"
    if ! fetch "${RELEASE_URL}/${base}.tgz" "$WORK/${base}.tgz"; then
      warn "download of ${RELEASE_URL}/${base}.tgz failed"
      failures=$((failures + 1)); continue
    fi
    # Extract only the .tflite member(s) of the archive.
    if ! members="$(tar -tzf "$WORK/${base}.tgz" 2>/dev/null | grep -E '\.tflite$')"; then
      warn "${base}.tgz is not a gzip tar or holds no .tflite file"
      failures=$((failures + 1)); rm -f "$WORK/${base}.tgz"; continue
    fi
    mkdir -p "$WORK/x"
    # shellcheck disable=SC2086 # member names of the official archives have no spaces
    if ! tar -xzf "$WORK/${base}.tgz" -C "$WORK/x" $members; then
      warn "could not extract ${base}.tgz"
      failures=$((failures + 1)); rm -rf "$WORK/x" "$WORK/${base}.tgz"; continue
    fi
    found=0
    while IFS= read -r -d '' f; do
      install_checked "$f" "$(basename "$f")"
      found=1
    done < <(find "$WORK/x" -name '*.tflite' -type f -print0)
    [[ $found -eq 1 ]] || { warn "${base}.tgz held no .tflite"; failures=$((failures + 1)); }
    rm -rf "$WORK/x" "$WORK/${base}.tgz"
  done
done

# Labels: 1001 entries, index 0 = background (TF-slim / TFLite convention).
labels_dest="$TARGET/labels/${LABELS_NAME}"
if [[ $FORCE -eq 1 || ! -s "$labels_dest" ]]; then
  info "download  ${LABELS_NAME}"
  if fetch "$LABELS_URL" "$WORK/labels.txt"; then
    n="$(grep -c '' "$WORK/labels.txt" || true)"
    first="$(head -n1 "$WORK/labels.txt" | tr -d '\r')"
    if [[ "$n" -ne 1001 || "$first" != "background" ]]; then
      warn "labels file has ${n} lines, first '${first}' (expected 1001 lines starting with 'background'): not installed"
      failures=$((failures + 1))
    else
      sum="$(sha256sum "$WORK/labels.txt" | cut -d' ' -f1)"
      if [[ -n "${PINNED[$LABELS_NAME]:-}" && " ${PINNED[$LABELS_NAME]} " != *" ${sum} "* && $ENFORCE -eq 1 ]]; then
        warn "MISMATCH ${LABELS_NAME}: sha256 ${sum}, expected ${PINNED[$LABELS_NAME]}"
        failures=$((failures + 1))
      else
        [[ -n "${PINNED[$LABELS_NAME]:-}" ]] || warn "no pinned checksum for ${LABELS_NAME} (sha256 ${sum})"
        mv -f "$WORK/labels.txt" "$labels_dest"
        info "OK        ${LABELS_NAME} (1001 labels)"
      fi
    fi
  else
    warn "download of ${LABELS_URL} failed"
    failures=$((failures + 1))
  fi
else
  info "present   ${LABELS_NAME}"
fi

info "models in ${TARGET}/tflite, labels in ${TARGET}/labels"
[[ $unpinned -eq 0 ]] || warn "${unpinned} file(s) had no pinned checksum (see above)"
if [[ $failures -gt 0 ]]; then
  die "${failures} file(s) failed to download or verify"
fi
exit 0
