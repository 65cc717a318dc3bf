#!/usr/bin/env bash
# POQ Studio's entry points (run as root, or through sudo, on Debian 12):
#   ./setup.sh run    install missing packages, build, start the GUI on the built-in default
#   ./setup.sh test   install missing packages, build, run the whole CTest suite (exit != 0 on failure)
#   ./setup.sh sanitize   install missing packages, build with clang, ASan and UBSan (preset asan, build-asan/),
#                         run the core tests and every fuzz target's short run there; any report fails
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
mode="${1:-run}"
case "$mode" in run|test|build|sanitize) ;; *) echo "usage: $0 run|test|build|sanitize" >&2; exit 2;; esac

bash packaging/install-deps.sh
if [ "$mode" = sanitize ]; then
  cmake --preset asan >/dev/null
  cmake --build --preset asan -j "$(nproc)"
  # Every report is fatal (no suppressions: the core tests run clean under both sanitizers).
  export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:check_initialization_order=1:strict_init_order=1:detect_stack_use_after_return=1"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
  export POQ_TEST_SANITIZER=1 # the zoo-wide property rows shrink to two networks x two presets
  ctest --test-dir build-asan --output-on-failure -j "$(nproc)" -L core -LE exhaustive "${@:2}"
  ctest --test-dir build-asan --output-on-failure -j "$(nproc)" -L fuzz "${@:2}"
  exit 0
fi
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
