#!/bin/bash
# `make bench`: every benchmark of issue 6, then one table of figures with their peers and ratios,
# also written to Benchmarks/RESULTS.md.
#
#   1. lab       Lab/scenarios/bench.sh in a 2 GiB user-mode-Linux guest: ipvs-push dump vs ipvsadm vs
#                node_exporter at BENCH_SERVICES x BENCH_DESTS, serve's memory vs node_exporter's
#   2. encoding  Benchmarks/Benchmarks/Encoding with ordo-one/benchmark: metric set, rendering,
#                parsing, remote-write 1.0/2.0 encoding vs snappy alone, bytes per sample
#   3. e2e       Benchmarks/scripts/e2e.sh: `ipvs-push send --remote-write` vs curl to
#                VictoriaMetrics' text import, ~1,000,000 samples
#   4. pipeline  Benchmarks/scripts/pipeline.py: `ipvs-push run --textfile-directory` vs vmagent vs
#                Prometheus agent mode, remote write of BENCH_SERVICES x BENCH_DESTS every 5 s to
#                VictoriaMetrics (CPU per sample, peak and steady RSS, wire bytes per sample)
#   5. conntable Lab/scenarios/conntable.sh (issue 14, not in the default parts: the kernel's walk of
#                the connection table makes it long): real IPVS connection entries in a guest
#                (CONNTABLE_MEM, 2G), counted by `ipvs-push dump --connection-states` vs `dump`,
#                `ipvsadm -Lnc` and `cat /proc/net/ip_vs_conn` at each of CONNTABLE_SIZES
#                ("25000 50000 100000 1000000"; CONNTABLE_ROUNDS 3, CONNTABLE_TOOLS all four; above
#                CONNTABLE_LARGE 200000 entries one round of the two dumps: see the scenario; 1.5-2
#                hours); run alone, it replaces only its own section of RESULTS.md
#   6. labpipeline Lab/scenarios/pipeline.sh (issue 15, not in the default parts): the whole pipeline
#                against the kernel in a guest (LABPIPELINE_MEM, 4G) with BENCH_SERVICES x BENCH_DESTS:
#                `ipvs-push run --remote-write` (with and without --queue-dir) against
#                prometheus-node-exporter --collector.ipvs scraped by vmagent, every 5 s for
#                LABPIPELINE_CYCLES (10) cycles to one VictoriaMetrics, LABPIPELINE_ROUNDS (2) rounds:
#                CPU of every process of each pipeline per cycle and per sample, peak RSS, series per
#                cycle, every sample checked delivered; run alone, it replaces only its own section
#
# Environment: BENCH_PARTS ("lab encoding e2e pipeline"), BENCH_SERVICES (10000), BENCH_DESTS (3),
# BENCH_ROUNDS (5), BENCH_SCRAPES (5), BENCH_PROFILE (services to profile with callgrind in the lab;
# empty: no profile), E2E_SAMPLES (1000000), E2E_ROUNDS (3), BENCH_OUT (.build/bench),
# PIPELINE_CYCLES (10), PIPELINE_ROUNDS (2), PIPELINES (pipeline.py's list),
# BENCH_LAB_TIMEOUT (3600 s), BENCH_RESULTS (Benchmarks/RESULTS.md; "" to leave it alone), SWIFT;
# for labpipeline LABPIPELINE_CYCLES (10), LABPIPELINE_ROUNDS (2), LABPIPELINES (the scenario's list),
# LABPIPELINE_MEM (4G).
set -uo pipefail

root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)
cd "$root" || exit 1
swift=${SWIFT:-swift}
parts=" ${BENCH_PARTS:-lab encoding e2e pipeline} "
out=${BENCH_OUT:-$root/.build/bench}
results=${BENCH_RESULTS-$root/Benchmarks/RESULTS.md}
services=${BENCH_SERVICES:-10000}
dests=${BENCH_DESTS:-3}
started=$SECONDS
status=0
step() { echo; echo "=== bench: $* ($(( SECONDS - started )) s) ==="; }
fail() { echo "bench: $*" >&2; status=1; }

rm -rf "$out"
mkdir -p "$out"

# The binary as it ships: the same flags as `make release` and deploy/docker/Dockerfile (the Swift
# runtime linked in, packed relative relocations: both make the process start faster), in a scratch
# path of its own (see the Makefile).
step "building ipvs-push (make release flags)"
"$swift" build -c release --static-swift-stdlib -Xswiftc -use-ld=lld -Xlinker -z -Xlinker pack-relative-relocs \
    --scratch-path "$root/.build/static" --product ipvs-push || { echo "bench: the release build failed" >&2; exit 1; }
ipvs_push=$root/.build/static/release/ipvs-push

bench_data=$root/Benchmarks/.build/release/bench-data
collect_phases=$root/Benchmarks/.build/release/collect-phases
if [[ "$parts" == *" lab "* || "$parts" == *" encoding "* || "$parts" == *" e2e "* ]]; then
    step "building the benchmark package's tools (release)"
    (cd Benchmarks && "$swift" build -c release --product bench-data && "$swift" build -c release --product collect-phases) ||
        { echo "bench: building Benchmarks/ failed" >&2; exit 1; }
fi

if [[ "$parts" == *" lab "* ]]; then
    profile_env=()
    if [ -n "${BENCH_PROFILE:-}" ]; then
        missing=
        command -v valgrind >/dev/null || missing+=" valgrind"
        command -v strace >/dev/null || missing+=" strace"
        if [ -n "$missing" ]; then
            echo "bench: installing$missing for the profile"
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null ||
                fail "could not install$missing"
        fi
        # valgrind 3.19 cannot read Swift 6.3's DWARF 5: profile a copy without debug information.
        objcopy --strip-debug "$collect_phases" "$out/collect-phases.nodebug" &&
            profile_env=(--env "COLLECT_PHASES_PROFILE=$out/collect-phases.nodebug")
    fi
    step "collection in the IPVS lab: $services services x $dests real servers"
    Lab/ipvs-lab --mem 2G --timeout "${BENCH_LAB_TIMEOUT:-3600}" --out "$out/lab" \
        --env "IPVS_PUSH=$ipvs_push" --env "COLLECT_PHASES=$collect_phases" \
        --env "BENCH_SERVICES=$services" --env "BENCH_DESTS=$dests" \
        --env "BENCH_ROUNDS=${BENCH_ROUNDS:-5}" --env "BENCH_SCRAPES=${BENCH_SCRAPES:-5}" \
        --env "BENCH_PROFILE=${BENCH_PROFILE:-}" ${profile_env[@]+"${profile_env[@]}"} bench
    rc=$?
    [ "$rc" = 0 ] || fail "the lab scenario failed with $rc (see $out/lab/scenario.stderr, console.log)"
    tail -n 5 "$out/lab/scenario.stderr" 2>/dev/null
fi

if [[ "$parts" == *" encoding "* ]]; then
    step "encoding on the host (ordo-one/benchmark)"
    mkdir -p "$out/encoding"
    "$bench_data" sizes --services "$services" --destinations "$dests" >"$out/encoding/sizes.json" ||
        fail "bench-data sizes failed"
    (cd Benchmarks && BENCH_SERVICES=$services BENCH_DESTS=$dests "$swift" package \
        --allow-writing-to-directory "$out/encoding" benchmark --no-progress --format jmh --path "$out/encoding") ||
        fail "the encoding benchmarks failed"
    # CPU time to the nanosecond (ordo-one counts it in 10 ms ticks), per steady-state round of
    # encode+snappy and of snappy alone, interleaved: work, rounds, CPU s/round, wall s/round.
    printf 'work\trounds\tcpu\twall\n' >"$out/encoding/cpu.tsv"
    for repeat in 1 2 3; do
        for work in encode-1.0 snappy-1.0 encode-2.0 snappy-2.0; do
            "$bench_data" profile "$work" --rounds 20 --services "$services" --destinations "$dests" \
                2>>"$out/encoding/cpu.tsv" >/dev/null || fail "bench-data profile $work failed"
        done
    done
fi

if [[ "$parts" == *" e2e "* ]]; then
    step "end to end on the host"
    Benchmarks/scripts/e2e.sh "$ipvs_push" "$bench_data" "$out/e2e" || fail "the end-to-end benchmark failed"
fi

if [[ "$parts" == *" pipeline "* ]]; then
    step "remote-write pipelines on the host: $services services x $dests real servers"
    python3 Benchmarks/scripts/pipeline.py --ipvs-push "$ipvs_push" --bench-data "$bench_data" --out "$out/pipeline" \
        --services "$services" --destinations "$dests" --cycles "${PIPELINE_CYCLES:-10}" \
        --rounds "${PIPELINE_ROUNDS:-2}" ${PIPELINES:+--pipelines "$PIPELINES"} ||
        fail "the pipeline benchmark failed"
fi

if [[ "$parts" == *" conntable "* ]]; then
    # conn-flood sends the datagrams that make the entries; built here, run in the guest.
    sizes=${CONNTABLE_SIZES:-25000 50000 100000 1000000}
    step "connection table in the IPVS lab: $sizes entries"
    mkdir -p "$out/conntable"
    "${CC:-cc}" -O2 -Wall -o "$out/conn-flood" Lab/guest/conn-flood.c || fail "compiling Lab/guest/conn-flood.c failed"
    Lab/ipvs-lab --mem "${CONNTABLE_MEM:-2G}" --timeout "${BENCH_LAB_TIMEOUT:-7200}" --out "$out/conntable" \
        --env "IPVS_PUSH=$ipvs_push" --env "CONN_FLOOD=$out/conn-flood" \
        --env "CONNTABLE_SIZES=$sizes" --env "CONNTABLE_ROUNDS=${CONNTABLE_ROUNDS:-3}" \
        --env "CONNTABLE_TOOLS=${CONNTABLE_TOOLS:-dump-states dump ipvsadm cat}" \
        --env "CONNTABLE_LARGE=${CONNTABLE_LARGE:-200000}" \
        --env "CONNTABLE_LARGE_TOOLS=${CONNTABLE_LARGE_TOOLS:-dump dump-states}" \
        --env "CONNTABLE_LARGE_ROUNDS=${CONNTABLE_LARGE_ROUNDS:-1}" conntable
    rc=$?
    [ "$rc" = 0 ] || fail "the conntable scenario failed with $rc (see $out/conntable/scenario.stderr, console.log)"
    tail -n 3 "$out/conntable/scenario.stderr" 2>/dev/null
fi

if [[ "$parts" == *" labpipeline "* ]]; then
    step "the whole pipeline in the IPVS lab: $services services x $dests real servers, ipvs-push run vs node_exporter + vmagent"
    # User-mode Linux maps a guest process's pages into a host process one by one: a guest process
    # with more than about 256 MiB of scattered pages (VictoriaMetrics holding 690,000 series) needs
    # more mappings than the host's default vm.max_map_count (65530) and is killed ("UML ran out of
    # memory on the host side ... vm.max_map_count has been reached" in console.log).
    if [ "$(cat /proc/sys/vm/max_map_count)" -lt 1048576 ]; then
        echo "bench: raising the host's vm.max_map_count to 1048576 for the guest (was $(cat /proc/sys/vm/max_map_count))"
        sysctl -qw vm.max_map_count=1048576 || fail "cannot raise vm.max_map_count (needs root): the guest's VictoriaMetrics may be killed"
    fi
    Lab/ipvs-lab --mem "${LABPIPELINE_MEM:-4G}" --timeout "${BENCH_LAB_TIMEOUT:-3600}" --out "$out/labpipeline" \
        --env "IPVS_PUSH=$ipvs_push" --env "BENCH_SERVICES=$services" --env "BENCH_DESTS=$dests" \
        --env "LABPIPELINE_CYCLES=${LABPIPELINE_CYCLES:-10}" --env "LABPIPELINE_ROUNDS=${LABPIPELINE_ROUNDS:-2}" \
        ${LABPIPELINES:+--env "LABPIPELINES=$LABPIPELINES"} pipeline
    rc=$?
    [ "$rc" = 0 ] || fail "the labpipeline scenario failed with $rc (see $out/labpipeline/scenario.stderr, logs/pipelines.log)"
    tail -n 8 "$out/labpipeline/scenario.stderr" 2>/dev/null
fi

duration=$(( SECONDS - started ))
{
    echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- Sources 2>/dev/null || echo '+local changes')"
    echo "host=$(nproc) cores, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
    echo "duration=$(( duration / 60 )) min $(( duration % 60 )) s"
} >"$out/run.env"
step "results"
if [ -n "$results" ]; then
    python3 Benchmarks/scripts/summarize.py "$out" --results "$results" || fail "summarizing failed"
    echo "(written to ${results#"$root"/}; raw data in ${out#"$root"/})"
else
    python3 Benchmarks/scripts/summarize.py "$out" || fail "summarizing failed"
fi
echo "make bench took $(( duration / 60 )) min $(( duration % 60 )) s"
exit "$status"
