#!/bin/bash
# Collection at scale (issue 6, part 1): one guest with BENCH_SERVICES virtual services x
# BENCH_DESTS real servers, restored with `ipvsadm -R`, then, interleaved over BENCH_ROUNDS
# rounds (the order rotates every round), the wall and CPU time of
#   ipvs-push dump                      (all series, text format, to /dev/null)
#   ipvs-push dump --no-destinations    (service series only)
#   ipvsadm -Ln --stats --exact         (the C tool on the same netlink interface)
#   curl of node_exporter's /metrics    (prometheus-node-exporter --collector.ipvs, /proc based)
#   ipvs-push --help, ipvsadm --version, curl --version (what starting each process costs)
# and, with one long-lived python client (no process start in the measurement), BENCH_SCRAPES
# interleaved scrapes of `ipvs-push serve` and of node_exporter: time per scrape, bytes, series,
# and each server's VmHWM / VmRSS / CPU time after those scrapes.
#
#   make bench                                        (builds, boots with --mem 2G, summarizes)
#   Lab/ipvs-lab --mem 2G --timeout 1800 --out /tmp/bench-lab \
#       --env IPVS_PUSH=$PWD/.build/release/ipvs-push bench
#
# Environment: IPVS_PUSH (required), COLLECT_PHASES (Benchmarks' collect-phases; optional: the
# phases of a dump, phases.tsv), BENCH_SERVICES (10000), BENCH_DESTS (3), BENCH_ROUNDS (5),
# BENCH_SCRAPES (5), NODE_EXPORTER (/usr/bin/prometheus-node-exporter), BENCH_PROFILE (empty:
# no profile; N: after the timings, `strace -c` of one `dump` and one `ipvsadm -Ln --stats --exact`
# at full scale, then callgrind of collect-phases (COLLECT_PHASES_PROFILE: a copy without debug
# information) and of ipvsadm over the first N services only; needs strace and valgrind).
#
# Writes to $LAB_OUT: bench.env (sizes, versions), timings.tsv (tool, round, order, wall, user,
# sys, rc), scrapes.tsv (server, scrape, seconds, bytes, status), servers.tsv (server, pid,
# VmHWM_kB, VmRSS_kB, cpu_ticks, clk_tck), outputs.tsv (tool, bytes, lines, series, ipvs_series),
# restore.env, phases.tsv, phases-nd.tsv and phases-families.tsv (with COLLECT_PHASES); with BENCH_PROFILE also
# rusage.tsv and strace.{dump,ipvsadm}.txt (full scale) and callgrind.{collect-phases,ipvsadm}.out
# (after reducing the table to BENCH_PROFILE services).
set -uo pipefail
. "$LAB_DIR/guest/lib.sh"

IPVS_PUSH=${IPVS_PUSH:?IPVS_PUSH must name the ipvs-push binary (--env IPVS_PUSH=...)}
N=${BENCH_SERVICES:-10000}
D=${BENCH_DESTS:-3}
ROUNDS=${BENCH_ROUNDS:-5}
SCRAPES=${BENCH_SCRAPES:-5}
NODE_EXPORTER=${NODE_EXPORTER:-/usr/bin/prometheus-node-exporter}
PROFILE=${BENCH_PROFILE:-}
SERVE_PORT=9200
NODE_PORT=9100
WORK=$LAB_RUN/bench
mkdir -p "$WORK"
must() { "$@" || lab_die "failed: $*"; }

[ -x "$IPVS_PUSH" ] || lab_die "IPVS_PUSH '$IPVS_PUSH' is not an executable"
[ -x "$NODE_EXPORTER" ] || lab_die "node_exporter '$NODE_EXPORTER' missing: apt-get install prometheus-node-exporter"
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || lab_die "BENCH_ROUNDS '$ROUNDS' must be a positive number"
[[ "$SCRAPES" =~ ^[1-9][0-9]*$ ]] || lab_die "BENCH_SCRAPES '$SCRAPES' must be a positive number"

ip link set lo up

# The table (lib.sh: service i is 10.A.B.C:80, its real servers distinct 172.16.0.0/12 addresses
# on port 8080), restored with ipvsadm -R, the rate estimator stopped; restore.env.
lab_bench_table "$N" "$D" "$WORK/rules"

{
    echo "services=$N"
    echo "destinations_per_service=$D"
    echo "rounds=$ROUNDS"
    echo "scrapes=$SCRAPES"
    echo "kernel=$(uname -r)"
    echo "ipvsadm_version=$(ipvsadm --version 2>&1 | head -n1)"
    echo "node_exporter_version=$("$NODE_EXPORTER" --version 2>&1 | head -n1)"
    echo "curl_version=$(curl --version 2>&1 | head -n1)"
    echo "guest_mem_kB=$(awk '/^MemTotal/ { print $2 }' /proc/meminfo)"
    echo "guest_cpus=$(nproc)"
} >"$LAB_OUT/bench.env"

# --- What each tool reads: one untimed run each, output kept in the guest's tmpfs only. -----------
# series: lines that are neither comments nor empty; ipvs_series: those naming an IPVS metric.
record_output() {
    local tool=$1 file=$2
    awk -v tool="$tool" '
        { bytes += length($0) + 1; lines++ }
        !/^#/ && NF { series++ }
        /^(ipvs_|node_ipvs_)/ { ipvs++ }
        /^(TCP|UDP|SCTP|FWM) / { ipvs++ }
        /^  -> / && !/RemoteAddress/ { ipvs++ }
        END { printf "%s\t%d\t%d\t%d\t%d\n", tool, bytes, lines, series, ipvs }' "$file" >>"$LAB_OUT/outputs.tsv"
    rm -f "$file"
}
printf 'tool\tbytes\tlines\tseries\tipvs_series\n' >"$LAB_OUT/outputs.tsv"

lab_log "starting node_exporter"
"$NODE_EXPORTER" --collector.disable-defaults --collector.ipvs --web.disable-exporter-metrics \
    --web.listen-address="127.0.0.1:$NODE_PORT" >"$LAB_OUT/logs/node_exporter.log" 2>&1 &
NODE_PID=$!
LAB_PIDS+=("$NODE_PID")
lab_log "starting ipvs-push serve"
"$IPVS_PUSH" serve --listen-address "127.0.0.1:$SERVE_PORT" >"$LAB_OUT/logs/serve.log" 2>&1 &
SERVE_PID=$!
LAB_PIDS+=("$SERVE_PID")

# --- Part A: scrapes from one long-lived client, then each server's memory. ------------------------
# Readiness is a TCP connect, not a scrape, so each server has served exactly SCRAPES scrapes when
# its VmHWM is read.
lab_log "scraping serve and node_exporter, $SCRAPES times each, interleaved"
"$LAB_PYTHON" - "$SCRAPES" "$SERVE_PORT" "$NODE_PORT" "$SERVE_PID" "$NODE_PID" "$LAB_OUT" <<'PY' \
    >"$LAB_OUT/logs/scrape.log" 2>&1 || lab_die "the scrape client failed (see logs/scrape.log)"
import http.client, os, socket, sys, time

scrapes, serve_port, node_port = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
serve_pid, node_pid, out = int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
servers = [("ipvs-push serve", serve_port, serve_pid), ("node_exporter", node_port, node_pid)]

def wait_listening(port, pid):
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if not os.path.exists(f"/proc/{pid}"):
            sys.exit(f"server pid {pid} (port {port}) exited before listening")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    sys.exit(f"nothing listens on port {port} after 120 s")

def scrape(port):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    start = time.perf_counter()
    connection.request("GET", "/metrics", headers={"Accept": "text/plain", "Accept-Encoding": "identity"})
    response = connection.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - start
    connection.close()
    return elapsed, body, response.status

def status_kb(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return -1

def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime (fields 14 and 15)

for _, port, pid in servers:
    wait_listening(port, pid)
rows = []
last = {}
for index in range(scrapes):
    order = servers if index % 2 == 0 else list(reversed(servers))
    for name, port, _ in order:
        elapsed, body, status = scrape(port)
        rows.append(f"{name}\t{index + 1}\t{elapsed:.6f}\t{len(body)}\t{status}")
        last[name] = body
        print(f"{name} scrape {index + 1}: {elapsed:.3f} s, {len(body)} bytes, HTTP {status}", flush=True)
with open(os.path.join(out, "scrapes.tsv"), "w") as f:
    f.write("server\tscrape\tseconds\tbytes\tstatus\n" + "\n".join(rows) + "\n")
clk = os.sysconf("SC_CLK_TCK")
with open(os.path.join(out, "servers.tsv"), "w") as f:
    f.write("server\tpid\tVmHWM_kB\tVmRSS_kB\tcpu_ticks\tclk_tck\n")
    for name, _, pid in servers:
        f.write(f"{name}\t{pid}\t{status_kb(pid, 'VmHWM')}\t{status_kb(pid, 'VmRSS')}\t{cpu_ticks(pid)}\t{clk}\n")
for name, body in last.items():
    with open(os.path.join("/run/lab/bench", name.replace(" ", "-") + ".scrape"), "wb") as f:
        f.write(body)
PY
record_output "ipvs-push serve scrape" "$WORK/ipvs-push-serve.scrape"
record_output "node_exporter scrape" "$WORK/node_exporter.scrape"
kill "$SERVE_PID" 2>/dev/null
wait "$SERVE_PID" 2>/dev/null

# --- Part B: whole commands, interleaved, the order rotating every round. -----------------------
"$IPVS_PUSH" dump >"$WORK/dump" 2>"$LAB_OUT/logs/dump.stderr" || lab_die "ipvs-push dump failed (logs/dump.stderr)"
grep -q "^ipvs_services{namespace=\"\"} $N\$" "$WORK/dump" || lab_die "the dump does not report $N services"
# The collector's own timing of the netlink reading (inside the process, no start-up, no rendering).
awk '/^ipvs_collect_duration_seconds/ { print "dump_collect_seconds=" $2 }' "$WORK/dump" >>"$LAB_OUT/bench.env"
record_output "ipvs-push dump" "$WORK/dump"
"$IPVS_PUSH" dump --no-destinations >"$WORK/dump-nd" 2>/dev/null || lab_die "dump --no-destinations failed"
record_output "ipvs-push dump --no-destinations" "$WORK/dump-nd"
ipvsadm -Ln --stats --exact >"$WORK/ipvsadm" 2>/dev/null || lab_die "ipvsadm -Ln --stats --exact failed"
record_output "ipvsadm -Ln --stats --exact" "$WORK/ipvsadm"

# The phases of a dump inside one process (collect-phases: the same module calls as `dump`, three
# rounds: the first pays for the socket and the first allocations, later ones are what a long-running
# process pays per collection), and the same through the metric families (what `run` and the senders
# build).
if [ -n "${COLLECT_PHASES:-}" ]; then
    lab_log "collect-phases: 3 rounds"
    "$COLLECT_PHASES" --rounds 3 >"$LAB_OUT/phases.tsv" 2>"$LAB_OUT/logs/phases.stderr" ||
        lab_log "collect-phases failed (logs/phases.stderr)"
    "$COLLECT_PHASES" --rounds 3 --no-destinations >"$LAB_OUT/phases-nd.tsv" 2>>"$LAB_OUT/logs/phases.stderr" ||
        lab_log "collect-phases --no-destinations failed (logs/phases.stderr)"
    "$COLLECT_PHASES" --rounds 3 --families >"$LAB_OUT/phases-families.tsv" 2>>"$LAB_OUT/logs/phases.stderr" ||
        lab_log "collect-phases --families failed (logs/phases.stderr)"
fi

TOOLS=(dump dump-nd ipvsadm node-curl)
run_tool() {
    case "$1" in
        dump) "$IPVS_PUSH" dump ;;
        dump-nd) "$IPVS_PUSH" dump --no-destinations ;;
        ipvsadm) ipvsadm -Ln --stats --exact ;;
        node-curl) curl -sf -o /dev/null "http://127.0.0.1:$NODE_PORT/metrics" ;;
        start-ipvs-push) "$IPVS_PUSH" --help ;;
        start-ipvsadm) ipvsadm --version ;;
        start-curl) curl --version ;;
    esac
}
printf 'tool\tround\torder\twall\tuser\tsys\trc\n' >"$LAB_OUT/timings.tsv"
TIMEFORMAT='%R %U %S'
timed() {
    local tool=$1 round=$2 order=$3 times rc
    { time run_tool "$tool" >/dev/null 2>&1 </dev/null; } 2>"$WORK/time"
    rc=$?
    read -r times <"$WORK/time"
    # shellcheck disable=SC2086
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tool" "$round" "$order" $times "$rc" >>"$LAB_OUT/timings.tsv"
    [ "$rc" = 0 ] || lab_log "$tool failed with $rc in round $round"
}
lab_log "timing ${TOOLS[*]} over $ROUNDS rounds"
for ((round = 1; round <= ROUNDS; round++)); do
    count=${#TOOLS[@]}
    for ((position = 0; position < count; position++)); do
        tool=${TOOLS[$(( (position + round - 1) % count ))]}
        timed "$tool" "$round" "$((position + 1))"
    done
    for tool in start-ipvs-push start-ipvsadm start-curl; do timed "$tool" "$round" 0; done
    lab_log "round $round done"
done
kill "$NODE_PID" 2>/dev/null
wait "$NODE_PID" 2>/dev/null

# --- Profile (optional): instruction counts of the first BENCH_PROFILE services. --------------------
if [ -n "$PROFILE" ]; then
    [[ "$PROFILE" =~ ^[1-9][0-9]*$ ]] || lab_die "BENCH_PROFILE '$PROFILE' must be a number of services"
    # Resource usage at full scale (peak RSS, page faults: every fault is a host round trip in
    # user-mode Linux), from the parent's getrusage after each child.
    "$LAB_PYTHON" - "$LAB_OUT/rusage.tsv" "$IPVS_PUSH" <<'PY' || lab_log "the rusage pass failed"
import os, subprocess, sys, time
out, ipvs_push = sys.argv[1], sys.argv[2]
commands = [("ipvs-push dump", [ipvs_push, "dump"]),
            ("ipvs-push dump --no-destinations", [ipvs_push, "dump", "--no-destinations"]),
            ("ipvsadm -Ln --stats --exact", ["ipvsadm", "-Ln", "--stats", "--exact"]),
            ("ipvs-push --help", [ipvs_push, "--help"])]
rows = ["command\twall\tuser\tsys\tmaxrss_kB\tminflt\tmajflt\tnvcsw\tnivcsw"]
for name, argv in commands:
    start = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(child.pid, 0)  # this child's own usage
    wall = time.perf_counter() - start
    rows.append(f"{name}\t{wall:.3f}\t{usage.ru_utime:.3f}\t{usage.ru_stime:.3f}\t{usage.ru_maxrss}"
                f"\t{usage.ru_minflt}\t{usage.ru_majflt}\t{usage.ru_nvcsw}\t{usage.ru_nivcsw}")
with open(out, "w") as f:
    f.write("\n".join(rows) + "\n")
PY
    # System calls at full scale: counts are exact, times are strace's (inflated, compare shares).
    if command -v strace >/dev/null; then
        lab_log "strace -c: ipvs-push dump, ipvsadm"
        strace -c -f -o "$LAB_OUT/strace.dump.txt" "$IPVS_PUSH" dump >/dev/null 2>&1 || lab_log "strace of dump failed"
        strace -c -f -o "$LAB_OUT/strace.ipvsadm.txt" ipvsadm -Ln --stats --exact >/dev/null 2>&1 ||
            lab_log "strace of ipvsadm failed"
    else
        lab_log "strace is not installed: no system call profile"
    fi
    if [ "$PROFILE" -lt "$N" ]; then
        lab_log "removing services beyond the first $PROFILE for the profile"
        awk -v n="$N" -v keep="$PROFILE" 'BEGIN {
            for (i = keep + 1; i <= n; i++)
                printf "-D -t 10.%d.%d.%d:80\n", int(i / 65536) % 256, int(i / 256) % 256, i % 256
        }' >"$WORK/delete"
        must ipvsadm -R <"$WORK/delete"
    fi
    echo "profile_services=$PROFILE" >>"$LAB_OUT/bench.env"
    # valgrind 3.19 crashes in libdispatch under the async main of `ipvs-push dump`, so the dump's
    # code path is profiled through collect-phases (synchronous main, the same module calls).
    # It also cannot read the DWARF 5 that Swift 6.3 writes: COLLECT_PHASES_PROFILE is a copy
    # without debug information (the symbol table, so the function names, stays).
    profiled=${COLLECT_PHASES_PROFILE:-${COLLECT_PHASES:-}}
    if [ -n "$profiled" ]; then
        lab_log "callgrind: collect-phases ($profiled)"
        valgrind --tool=callgrind --callgrind-out-file="$LAB_OUT/callgrind.collect-phases.out" \
            "$profiled" >"$LAB_OUT/logs/callgrind.collect-phases.stdout" 2>"$LAB_OUT/logs/callgrind.collect-phases.log" ||
            lab_log "callgrind of collect-phases failed"
    fi
    lab_log "callgrind: ipvsadm"
    valgrind --tool=callgrind --callgrind-out-file="$LAB_OUT/callgrind.ipvsadm.out" \
        ipvsadm -Ln --stats --exact >/dev/null 2>"$LAB_OUT/logs/callgrind.ipvsadm.log" || lab_log "callgrind of ipvsadm failed"
fi
lab_stop_background
lab_log "done"
