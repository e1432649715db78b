#!/usr/bin/env bash
# Builds the libFuzzer targets (Fuzz/README.md) and runs each for FUZZ_SECONDS on its
# committed seeds. Exits non-zero when any target crashes, leaks, hangs, breaks an
# invariant or trips AddressSanitizer; prints one summary line per target.
#
#   Fuzz/run.sh                      every target, FUZZ_SECONDS (default 60) each
#   Fuzz/run.sh FuzzQueue FuzzDocker only these
#   FUZZ_BUILD=0 Fuzz/run.sh         run what is built
#   FUZZ_RUNS=N FUZZ_SEED=S          N inputs a target, seed S: the same inputs on any machine
set -uo pipefail
cd "$(dirname "$0")/.."
SWIFT=${SWIFT:-swift}
SECONDS_EACH=${FUZZ_SECONDS:-60}
SCRATCH=${FUZZ_SCRATCH:-.build-fuzz}
ALL=(FuzzExposition FuzzNetlink FuzzMarkRules FuzzMangleTable FuzzAgentConfig FuzzWebConfig FuzzQueue
    FuzzTranscoder FuzzNamesFile FuzzDocker FuzzConnectionTable)
TARGETS=("${@:-${ALL[@]}}")

if [[ ${FUZZ_BUILD:-1} != 0 ]]; then
    # One product at a time: `swift build` with several --product flags builds only the last,
    # and a plain `swift build` would link the ipvs-push command with libFuzzer too.
    for target in "${TARGETS[@]}"; do
        IPVS_PUSH_FUZZ=1 $SWIFT build --scratch-path "$SCRATCH" -Xswiftc -sanitize=fuzzer,address \
            --product "$target" 2>&1 | grep -Ev '^\[[0-9]+/[0-9]+\] (Compiling|Emitting|Wrapping|Write|Planning)|Cannot export local symbol' \
            || true
        [[ -x $SCRATCH/debug/$target ]] || { echo "fuzz: $target did not build" >&2; exit 2; }
    done
fi

# The Swift runtime's own backtracer would read memory ASan guards after an abort.
export SWIFT_BACKTRACE=${SWIFT_BACKTRACE:-enable=no}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=0}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/Fuzz/lsan.supp:print_suppressions=0}
# Swift seeds its hashing at random per process, so a dictionary's order (and the coverage
# the fuzzer sees) would differ from run to run; with a fixed seed and a fixed number of
# runs this makes a run repeat exactly.
export SWIFT_DETERMINISTIC_HASHING=${SWIFT_DETERMINISTIC_HASHING:-1}
failed=0
summary=()
for target in "${TARGETS[@]}"; do
    work=$SCRATCH/fuzz-corpus/$target
    # A repeatable run starts from the committed seeds alone, not from what earlier runs found.
    if [[ -n ${FUZZ_RUNS:-} ]]; then work=$SCRATCH/fuzz-corpus-repeatable/$target; rm -rf "$work"; fi
    artifacts=$SCRATCH/fuzz-artifacts/$target/
    mkdir -p "$work" "$artifacts"
    log=$SCRATCH/fuzz-$target.log
    # New inputs go to the work corpus (the first directory); the committed seeds stay as they are.
    # FUZZ_SEED and FUZZ_RUNS (make fuzz-smoke) make CI try the same inputs every run instead of
    # failing at random on whatever a machine's speed lets it reach; `make fuzz` explores anew.
    # FUZZ_RUNS bounds the run by inputs instead of time (FUZZ_SECONDS is then only a cap).
    "$SCRATCH/debug/$target" "$work" "Fuzz/Corpus/$target" -max_total_time="$SECONDS_EACH" -timeout=10 \
        ${FUZZ_SEED:+-seed="$FUZZ_SEED"} ${FUZZ_RUNS:+-runs="$FUZZ_RUNS"} \
        -rss_limit_mb=2048 -malloc_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts" >"$log" 2>&1
    status=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    if [[ $status -eq 0 ]] && ! grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|SUMMARY: ' "$log"; then
        if [[ -n ${FUZZ_RUNS:-} ]]; then
            summary+=("fuzz: $target: ok, ${runs:-?} executions, seed ${FUZZ_SEED:-random}")
        else
            summary+=("fuzz: $target: ok, ${runs:-?} executions in ${SECONDS_EACH}s")
        fi
    else
        failed=1
        artifact=$(sed -n 's/.*Test unit written to //p' "$log" | tail -n 1)
        summary+=("fuzz: $target: FAILED (exit $status) after ${runs:-?} executions; input ${artifact:-none}; log $log")
        grep -E 'ERROR:|FUZZ INVARIANT|SUMMARY:|Fatal error|deadly signal|timeout' "$log" | head -n 5 >&2
    fi
done
printf '%s\n' "${summary[@]}"
exit $failed
