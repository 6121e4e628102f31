#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine (as root, or a user with sudo):
#   scripts/studio.sh run [APP ARGS...]   install what is missing, build (Release), launch the app
#   scripts/studio.sh test [CTEST ARGS...] install what is missing, build, run the whole suite (CTest)
#   scripts/studio.sh build               install what is missing and build only
# Environment: BUILD_DIR (default build), JOBS (default nproc), CI=true turns warnings into errors
# and makes tests that need ../shared data fail instead of skip.
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
  *)
    echo "usage: scripts/studio.sh run|test|build [args...]" >&2
    exit 2
    ;;
esac
