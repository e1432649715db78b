#!/bin/bash
# End to end on the host (issue 6, part 3): one file of about 1,000,000 samples (the benchmark
# data set rendered as Prometheus text by bench-data), sent to one VictoriaMetrics
#   - by `ipvs-push send --remote-write URL FILE` (parse, encode, snappy, HTTP), and
#   - by `curl --data-binary @FILE` to VictoriaMetrics' own text import, /api/v1/import/prometheus,
# interleaved over E2E_ROUNDS rounds, after one untimed import that creates the series. Wall and CPU
# time of the client (bash's `time`), and the CPU time VictoriaMetrics spent on each request (its
# /proc/PID/stat before and after).
#
#   Benchmarks/scripts/e2e.sh IPVS_PUSH BENCH_DATA OUT_DIR
# Environment: E2E_SAMPLES (1000000), E2E_ROUNDS (3).
# Writes OUT_DIR/e2e.env (samples, file bytes, versions, remote_write_flag=yes|no) and
# OUT_DIR/e2e.tsv (tool, round, wall, user, sys, server_cpu_seconds, rc).
set -uo pipefail

ipvs_push=${1:?usage: e2e.sh IPVS_PUSH BENCH_DATA OUT_DIR}
bench_data=${2:?usage: e2e.sh IPVS_PUSH BENCH_DATA OUT_DIR}
out=${3:?usage: e2e.sh IPVS_PUSH BENCH_DATA OUT_DIR}
samples=${E2E_SAMPLES:-1000000}
rounds=${E2E_ROUNDS:-3}
mkdir -p "$out"
work=$(mktemp -d "${TMPDIR:-/tmp}/ipvs-push-e2e.XXXXXX") || exit 1
vm_pid=
cleanup() {
    [ -n "$vm_pid" ] && kill "$vm_pid" 2>/dev/null && wait "$vm_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
log() { echo "e2e: $*" >&2; }

file=$work/samples.prom
generated=$("$bench_data" text --samples "$samples" --output "$file") || { log "bench-data text failed"; exit 1; }
bytes=$(stat -c %s "$file")
if "$ipvs_push" send --help 2>&1 | grep -q -- '--remote-write'; then flag=yes; else flag=no; fi
{
    echo "samples=$generated"
    echo "file_bytes=$bytes"
    echo "remote_write_flag=$flag"
    echo "victoria_metrics_version=VictoriaMetrics $(dpkg-query -W -f='${Version}' victoria-metrics 2>/dev/null)"
    echo "curl_version=$(curl --version | head -n1)"
} >"$out/e2e.env"
log "$generated samples, $bytes bytes; ipvs-push send --remote-write: $flag"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
victoria-metrics -httpListenAddr="127.0.0.1:$port" -storageDataPath="$work/vm" -search.latencyOffset=0s \
    -loggerLevel=ERROR >"$out/victoria-metrics.log" 2>&1 &
vm_pid=$!
for _ in $(seq 1 300); do
    curl -sf -o /dev/null "http://127.0.0.1:$port/health" && break
    sleep 0.1
done
curl -sf -o /dev/null "http://127.0.0.1:$port/health" || { log "VictoriaMetrics did not start (see victoria-metrics.log)"; exit 1; }

# One untimed import first: VictoriaMetrics registers the series then, so neither client pays for
# creating them (the first request otherwise costs it ~15x the CPU of the later ones).
curl -sf --data-binary "@$file" "http://127.0.0.1:$port/api/v1/import/prometheus" ||
    { log "the warm-up import failed"; exit 1; }
sleep 2

vm_cpu_ticks() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$vm_pid/stat"; }
clk_tck=$(getconf CLK_TCK)
run_tool() {
    case "$1" in
        ipvs-push-send) "$ipvs_push" send --remote-write "http://127.0.0.1:$port/api/v1/write" "$file" ;;
        curl-import) curl -sf --data-binary "@$file" "http://127.0.0.1:$port/api/v1/import/prometheus" ;;
    esac
}
tools=(curl-import)
[ "$flag" = yes ] && tools=(ipvs-push-send curl-import)
printf 'tool\tround\twall\tuser\tsys\tserver_cpu_seconds\trc\n' >"$out/e2e.tsv"
TIMEFORMAT='%R %U %S'
for ((round = 1; round <= rounds; round++)); do
    count=${#tools[@]}
    for ((position = 0; position < count; position++)); do
        tool=${tools[$(( (position + round - 1) % count ))]}
        before=$(vm_cpu_ticks)
        { time run_tool "$tool" >"$work/$tool.out" 2>&1 </dev/null; } 2>"$work/time"
        rc=$?
        # VictoriaMetrics acknowledges a request before it has finished with it; let it settle so
        # its CPU time is charged to this request, not the next.
        sleep 2
        after=$(vm_cpu_ticks)
        read -r times <"$work/time"
        server=$(awk -v a="$before" -v b="$after" -v hz="$clk_tck" 'BEGIN { printf "%.2f", (b - a) / hz }')
        # shellcheck disable=SC2086
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tool" "$round" $times "$server" "$rc" >>"$out/e2e.tsv"
        if [ "$rc" != 0 ]; then log "$tool failed ($rc): $(head -c 500 "$work/$tool.out")"; fi
        log "round $round: $tool $times (server cpu ${server} s) rc=$rc"
    done
done
# What VictoriaMetrics holds now: one series per distinct sample, whatever sent it (the same file, so
# the same series, unless a client lost or changed some).
curl -sf "http://127.0.0.1:$port/internal/force_flush" >/dev/null 2>&1
sleep 1
series=$(curl -sf "http://127.0.0.1:$port/api/v1/series/count" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["data"][0])')
echo "series_in_receiver=$series" >>"$out/e2e.env"
log "series in VictoriaMetrics: $series"
