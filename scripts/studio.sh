#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine (as root, or a user with sudo):
#   scripts/studio.sh run [APP ARGS...]   install what is missing, build (Release), launch the app
#   scripts/studio.sh test [CTEST ARGS...] install what is missing, build, run the whole suite (CTest)
#   scripts/studio.sh build               install what is missing and build only
#   scripts/studio.sh models              (after a build) make sure models are found: when none
#                                         is on the search path, download the official ones
#   scripts/studio.sh sanitize [address|thread] [CTEST ARGS...]
#                                         the suite under ASan+UBSan (build-asan, default), or the
#                                         GUI worker tests under TSan (build-tsan)
#   scripts/studio.sh package             build for installing under /usr and make the .deb
# Environment: BUILD_DIR (default build), JOBS (default nproc), CI=true turns warnings into errors
# and makes tests that need ../shared data fail instead of skip. MOBILENET_RELEASE_URL and
# MOBILENET_LABELS_URL point the model download at a mirror (see models/fetch_models.sh).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
build_dir=${BUILD_DIR:-build}
jobs=${JOBS:-$(nproc)}

# Debian packages the build, the app and the tests need. Real package names only, not
# virtual ones: install_missing asks dpkg about each name.
packages=(
  build-essential cmake ninja-build pkg-config
  # libdnnl-dev's CMake package requires OpenCL; Debian only *recommends* it.
  libdnnl-dev ocl-icd-opencl-dev
  libopencv-dev libflatbuffers-dev libhdf5-dev nlohmann-json3-dev
  # Qt6Charts' CMake package requires Qt6OpenGL, again only a recommendation.
  qt6-base-dev qt6-charts-dev libqt6opengl6-dev qt6-multimedia-dev libgl-dev
  libqt6svg6 qt6-svg-dev qt6-image-formats-plugins   # qt6-svg-dev: QSvgGenerator (chart export)
  xvfb xauth
  python3   # tests/cli/test_cli.sh reads JSON with it
  time      # /usr/bin/time: the bad-input table's peak-memory check
  curl      # models/fetch_models.sh (first-run download of the official models)
  dpkg-dev file   # dpkg-shlibdeps and file: CPack's DEB generator (scripts/studio.sh package)
)

install_missing() {
  local missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "== installing: ${missing[*]}"
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

configure_and_build() {
  # CI turns warnings into errors. Outside CI the cached choice stands, so `run` after
  # `test` on the same machine reuses the build instead of recompiling with other flags.
  local flags=()
  [ "${CI:-}" = "true" ] && flags+=(-DMOBILENET_WERROR=ON)
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release "${flags[@]}"
  cmake --build "$build_dir" -j "$jobs"
}

# The app's user data folder for models (QStandardPaths::AppDataLocation + /models; the
# app searches it), and the models folder saved in its settings (File → Models Folder…).
user_models_dir() {
  local data=${XDG_DATA_HOME:-${HOME:+$HOME/.local/share}}
  [ -n "$data" ] && echo "$data/MobileNetStudio/mobilenet-studio/models"
}
settings_models_dir() {
  local conf=${XDG_CONFIG_HOME:-${HOME:+$HOME/.config}}/MobileNetStudio/mobilenet-studio.conf
  [ -f "$conf" ] || return 0
  awk '/^\[/ { section = $0 } section == "[models]" && /^dir=/ { print substr($0, 5) }' "$conf"
}
# How many models the CLI's discovery finds with DIR added to its search path
# ($MOBILENET_MODELS and models/ of the tree are always searched).
models_found_with() {
  local args=(models)
  if [ -n "$1" ] && [ -d "$1" ]; then args+=(--models-dir "$1"); fi
  { "$build_dir/bin/mobilenet-cli" "${args[@]}" 2>/dev/null || true; } | sed -n 's/^\([0-9][0-9]*\) model(s):$/\1/p'
}

# First run on a machine without models: download the official release (the pairs the app
# ticks by default, float and uint8) into the user data folder. Returns 1 when there are
# still no models, after saying why; the app then offers File → Download the Official Models….
ensure_models() {
  local user_dir settings_dir d n dirs=()
  user_dir=$(user_models_dir)
  settings_dir=$(settings_models_dir)
  # One scan per folder that exists (each scan also covers $MOBILENET_MODELS and models/).
  for d in "$user_dir" "$settings_dir"; do
    if [ -n "$d" ] && [ -d "$d" ]; then dirs+=("$d"); fi
  done
  [ ${#dirs[@]} -gt 0 ] || dirs=("")
  for d in "${dirs[@]}"; do
    n=$(models_found_with "$d")
    if [ "${n:-0}" -gt 0 ]; then
      echo "== models: ${n} found on the search path"
      return 0
    fi
  done
  if [ -z "$user_dir" ]; then
    echo "== no models found, and no user data folder to download them into (HOME is not set)" >&2
    return 1
  fi
  echo "== no models found (searched: ${MOBILENET_MODELS:+$MOBILENET_MODELS, }${settings_dir:+$settings_dir, }$user_dir, models/)"
  echo "== downloading the official models into $user_dir:"
  echo "   models/fetch_models.sh --only 1.0_224,0.75_192,0.5_160,0.25_128 $user_dir"
  if "$here/models/fetch_models.sh" --only 1.0_224,0.75_192,0.5_160,0.25_128 "$user_dir"; then
    echo "== models installed in $user_dir"
    return 0
  fi
  n=$(models_found_with "$user_dir")
  if [ "${n:-0}" -gt 0 ]; then
    echo "== ${n} model(s) installed in $user_dir; some files failed (see above)" >&2
    return 0
  fi
  echo "== could not download the official models (see the reason above). The app starts without" >&2
  echo "   them and offers File → Download the Official Models… once the network is there." >&2
  return 1
}

# The suite under sanitizers. address: everything (GUI included) with ASan + UBSan; any report
# fails the test. thread: TSan on the tests where the inference worker's threads meet the GUI
# thread. The suppression files in tests/sanitizers/ say why each entry is there.
sanitize() {
  local kind=address
  case "${1:-}" in address|thread) kind=$1; shift ;; esac
  install_missing
  local supp="$here/tests/sanitizers"
  if [ "$kind" = address ]; then
    local dir=${SAN_BUILD_DIR:-build-asan}
    cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMOBILENET_SANITIZE=address \
          -DMOBILENET_WERROR=ON
    cmake --build "$dir" -j "$jobs"
    # fast_unwind_on_malloc=0: Debian's libraries have no frame pointers, and the fast
    # unwinder stops at the first of them, so a leak's stack would not reach the library
    # that made it (and lsan.supp could not name it).
    export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:fast_unwind_on_malloc=0"
    export LSAN_OPTIONS="suppressions=$supp/lsan.supp:print_suppressions=0"
    export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$supp/ubsan.supp"
  else
    local dir=${SAN_BUILD_DIR:-build-tsan}
    # The tests whose objects live on the inference worker's QThread (and the pools it starts).
    local tests=(test_inference_worker test_sweep_worker test_latency_measure test_evaluation_model
                 test_evaluation_page test_precision test_precision_sweep test_engine_contexts
                 test_threading)
    cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMOBILENET_SANITIZE=thread \
          -DMOBILENET_WERROR=ON
    cmake --build "$dir" -j "$jobs" --target mobilenet-cli "${tests[@]}"
    # libgomp and oneDNN are not instrumented: oneDNN's parallel work is invisible to TSan, and
    # the few parallel loops compiled here (roofline.cpp) are covered by tsan.supp's _omp_fn
    # entry. (OMP_NUM_THREADS would not help: the engine sets each network's thread count.)
    # ignore_noninstrumented_modules: no reports from inside those libraries (tsan.supp says why).
    export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:ignore_noninstrumented_modules=1:suppressions=$supp/tsan.supp"
    local regex
    regex="^($(IFS='|'; echo "${tests[*]}"))\$"
    set -- -R "$regex" "$@"
  fi
  # Instrumented code runs 3-10x slower: Qt Test's per-function watchdog (5 minutes, sized for
  # release builds) gets the same 30 minutes as ctest's --timeout, or the naive integer
  # reference's golden tensors stop on time, not on a finding.
  export QTEST_FUNCTION_TIMEOUT=1800000
  OMP_WAIT_POLICY=PASSIVE ctest --test-dir "$dir" --output-on-failure --timeout 1800 "$@"
}

# The .deb: a Release build for /usr without the tests, then CPack. dpkg-shlibdeps (dpkg-dev)
# turns the linked libraries into the package's Debian dependencies. Prints the .deb's path.
package() {
  install_missing
  local dir=${PKG_BUILD_DIR:-build-package} flags=()
  [ "${CI:-}" = "true" ] && flags+=(-DMOBILENET_WERROR=ON)
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
        -DMOBILENET_BUILD_TESTS=OFF "${flags[@]}"
  cmake --build "$dir" -j "$jobs"
  (cd "$dir" && cpack -G DEB >cpack.log 2>&1) || { cat "$dir/cpack.log" >&2; exit 1; }
  local deb
  deb=$(ls -t "$dir"/mobilenet-studio_*.deb | head -1)
  echo "== package: $(cd "$(dirname "$deb")" && pwd)/$(basename "$deb")"
  dpkg-deb --field "$deb" Package Version Depends | sed 's/^/   /'
}

cmd=${1:-run}
[ $# -gt 0 ] && shift
case "$cmd" in
  run)
    install_missing
    configure_and_build
    app="$build_dir/bin/mobilenet-studio"
    # Make the shared copies of the released models visible when they sit beside the repo.
    if [ -z "${MOBILENET_MODELS:-}" ] && [ -d "$here/../shared/models" ]; then
      export MOBILENET_MODELS="$here/../shared/models"
    fi
    # Without models the app still starts, and says how to get them. A folder given with
    # --models/-m is the user's choice: no download then.
    models_given=false
    for arg in "$@"; do
      case "$arg" in -m|--models|--models=*) models_given=true ;; esac
    done
    [ "$models_given" = true ] || ensure_models || true
    if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
      echo "== no display: starting the app under xvfb-run"
      exec xvfb-run -a -s "-screen 0 1600x1000x24" "$app" "$@"
    fi
    exec "$app" "$@"
    ;;
  test)
    install_missing
    configure_and_build
    # OMP_WAIT_POLICY=PASSIVE: idle OpenMP workers must not spin while another test runs.
    OMP_WAIT_POLICY=PASSIVE ctest --test-dir "$build_dir" --output-on-failure --timeout 900 "$@"
    ;;
  build)
    install_missing
    configure_and_build
    ;;
  models)
    [ -x "$build_dir/bin/mobilenet-cli" ] || { echo "no $build_dir/bin/mobilenet-cli: run scripts/studio.sh build first" >&2; exit 1; }
    ensure_models
    ;;
  sanitize)
    sanitize "$@"
    ;;
  package)
    package
    ;;
  *)
    echo "usage: scripts/studio.sh run|test|build|models|sanitize|package [args...]" >&2
    exit 2
    ;;
esac
