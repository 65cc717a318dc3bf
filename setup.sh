#!/usr/bin/env bash
# POQ Studio's two entry points (run as root, or through sudo, on Debian 12):
#   ./setup.sh run    install missing packages, build, start the GUI on the built-in default
#   ./setup.sh test   install missing packages, build, run the whole CTest suite (exit != 0 on failure)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
mode="${1:-run}"
case "$mode" in run|test|build) ;; *) echo "usage: $0 run|test|build" >&2; exit 2;; esac

bash packaging/install-deps.sh
cmake --preset release -DPOQ_BUILD_TESTS=ON >/dev/null
cmake --build --preset release -j "$(nproc)"

case "$mode" in
  run)
    if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
      echo "poq: no display found; starting under xvfb-run (set DISPLAY to use your screen)" >&2
      exec xvfb-run -a build/app/poq-studio "${@:2}"
    fi
    exec build/app/poq-studio "${@:2}"
    ;;
  test)
    ctest --test-dir build --output-on-failure -j "$(nproc)" "${@:2}"
    ;;
  build) ;;
esac
