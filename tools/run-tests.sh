#!/usr/bin/env bash
# Run cmocka test binaries one after another from the repository root,
# stream their output, and end with one line summing them all:
#
#     tests: 42 passed, 0 failed
#
# Exit status 1 if any binary failed a test or exited non-zero.
#
# Usage: tools/run-tests.sh BIN...
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
passed=0
failed=0
broken=()

# The number on every line matching pattern, summed.
sum() {
    sed -n "s/$1/\\1/p" "$2" | awk '{ n += $1 } END { print n + 0 }'
}

# A binary's failures: the tests it ran and did not pass, which also
# counts tests cmocka reports as errors (a failing teardown) and tests a
# failed group setup or a crash never ran.
count() {
    local log=$1 rc=$2 running ok skipped reported lost
    running=$(sum '^\[==========\] Running \([0-9]*\) test.*' "$log")
    ok=$(sum '^\[  PASSED  \] \([0-9]*\) test.*' "$log")
    skipped=$(sum '^\[  SKIPPED \] \([0-9]*\) test.*' "$log")
    reported=$(sum '^\[  FAILED  \] \([0-9]*\) test.*' "$log")
    lost=$((running - ok - skipped))
    bad=$((reported > lost ? reported : lost))
    # Exited non-zero with nothing failed: count the binary itself.
    if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then
        bad=1
    fi
    good=$ok
}

log=$(mktemp)
trap 'rm -f "$log"' EXIT

for bin in "$@"; do
    case $bin in
        /*) path=$bin ;;
        *) path=$PWD/$bin ;;
    esac
    echo "=== $bin"
    # Line-buffered, so cmocka's stdout and stderr interleave in order.
    (cd "$top" && stdbuf -oL -eL "$path") 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    count "$log" "$rc"
    passed=$((passed + good))
    failed=$((failed + bad))
    if [ "$rc" -ne 0 ] || [ "$bad" -ne 0 ]; then
        broken+=("$bin (exit $rc)")
    fi
done

for b in "${broken[@]+"${broken[@]}"}"; do
    echo "FAILED: $b"
done
echo "tests: $passed passed, $failed failed"
[ ${#broken[@]} -eq 0 ]
