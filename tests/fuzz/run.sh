#!/bin/sh
# make fuzz: each harness under libFuzzer for SECONDS, one after another.
# A harness works on a scratch corpus, build/fuzz/corpus/NAME: the
# committed seeds plus what earlier runs found, so that longer fuzzing
# builds up across runs while tests/fuzz/corpus/ stays as committed. A
# crash is saved as build/fuzz/crashes/NAME-*, the whole output in
# build/fuzz/log/NAME.log. Prints libFuzzer's last status line per
# harness; exit status 1 if any found a crash.
#
# Usage: tests/fuzz/run.sh SECONDS NAME...
set -u

cd "$(dirname "$0")/../.." || exit 1
seconds=$1
shift
out=build/fuzz
status=0

for name in "$@"; do
    corpus=$out/corpus/$name
    log=$out/log/$name.log
    mkdir -p "$corpus" "$out/crashes" "$out/log"
    cp tests/fuzz/corpus/"$name"/* "$corpus"/
    echo "=== fuzz_$name: ${seconds}s"
    # max_len: past MAINTENANCE_STATE_MAX (4096), where the state parser
    # and the writer refuse; timeout: an input slower than that is a hang.
    if "$out/fuzz_$name" -max_total_time="$seconds" -max_len=4200 \
           -timeout=10 -print_final_stats=1 \
           -artifact_prefix="$out/crashes/$name-" "$corpus" >"$log" 2>&1
    then
        grep '^#[0-9]*[[:space:]]*DONE' "$log" | tail -n 1
    else
        tail -n 60 "$log"
        echo "FAILED: fuzz_$name (log: $log)"
        status=1
    fi
done
exit $status
