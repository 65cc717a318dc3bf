#!/usr/bin/env bash
# Runs one fuzz target of a build folder configured with POQ_FUZZ=ON (cmake --preset asan):
#   fuzz/run.sh BUILD_DIR NAME SECONDS [libFuzzer options...]
# First each reproducer in fuzz/regressions/NAME/ on its own, then SECONDS of fuzzing from the corpus
# kept in BUILD_DIR/fuzz/corpus/NAME (new inputs go there), the seeds (BUILD_DIR/fuzz/seeds/NAME) and
# the reproducers, with the dictionary BUILD_DIR/fuzz/dict/NAME.dict. Exit status != 0 on any crash,
# leak, sanitizer report, failed check, slow input (-timeout) or memory blow-up (-rss_limit_mb); the
# input is saved in BUILD_DIR/fuzz/artifacts/NAME/.
set -euo pipefail
if [ $# -lt 3 ]; then
  echo "usage: $0 BUILD_DIR NAME SECONDS [libFuzzer options...]" >&2
  exit 2
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build="$(cd "$1" && pwd)"
name="$2"
seconds="$3"
shift 3
fuzzer="$build/fuzz/fuzz_$name"
seeds="$build/fuzz/seeds/$name"
corpus="$build/fuzz/corpus/$name"
artifacts="$build/fuzz/artifacts/$name"
regressions="$here/regressions/$name"
for f in "$fuzzer" "$seeds"; do
  [ -e "$f" ] || { echo "poq fuzz: $f is missing (build the fuzz targets first)" >&2; exit 2; }
done
mkdir -p "$corpus" "$artifacts"
options=(-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "-artifact_prefix=$artifacts/")
[ -f "$build/fuzz/dict/$name.dict" ] && options+=("-dict=$build/fuzz/dict/$name.dict")
dirs=("$corpus" "$seeds")
if [ -d "$regressions" ]; then
  mapfile -t files < <(find "$regressions" -type f | sort)
  if [ ${#files[@]} -gt 0 ]; then
    echo "poq fuzz: $name: ${#files[@]} reproducer(s) from fuzz/regressions/$name"
    "$fuzzer" "${options[@]}" "${files[@]}"
    dirs+=("$regressions")
  fi
fi
echo "poq fuzz: $name: fuzzing for $seconds s"
exec "$fuzzer" "${options[@]}" "-max_total_time=$seconds" "$@" "${dirs[@]}"
