#!/bin/bash
# The connection-table benchmark (issue 14): what `--connection-states` costs at up to 1,000,000
# real IPVS connection entries. Four UDP virtual services (10.0.0.1-4:53, rr) with four
# masquerading real servers each (10.1.0.x:53 behind a dummy link, where the datagrams end); the
# UDP timeout is a day (`ipvsadm --set 0 0 86400`) so that nothing expires during the boot (with
# an hour, entries expired while one listing of 1,000,000 of them was still under way).
# Lab/guest/conn-flood.c sends one datagram per entry from a distinct source address and port (a
# raw socket, 1024 datagrams a sendmmsg). After the first size one real server of 10.0.0.4 is
# removed, so its entries are orphaned ones (as after a `docker service update` with connections
# open) and the counter's orphan path runs too. At each size of CONNTABLE_SIZES, in ascending
# order (the table only grows), and over CONNTABLE_ROUNDS interleaved rounds (the order rotates
# every round), from one python process (no shell in between) that takes each child's own
# getrusage (wait4):
#   ipvs-push dump --connection-states   (counts /proc/thread-self/net/ip_vs_conn, streamed)
#   ipvs-push dump                       (the same without the table: the difference is the count)
#   ipvsadm -Lnc                         (prints every entry; ipvsadm reads the same /proc file)
#   cat /proc/net/ip_vs_conn             (the kernel's text alone)
# each output read through a pipe and counted; the dumps' (a few hundred lines) kept for their values.
#
#   make bench BENCH_PARTS=conntable
#   Lab/ipvs-lab --mem 2G --timeout 1800 --out /tmp/conntable \
#       --env IPVS_PUSH=$PWD/.build/static/release/ipvs-push conntable
#
# Every reader of /proc/net/ip_vs_conn pays the same kernel cost, and it grows with the square of
# the table: the kernel (6.1, ip_vs_conn_seq_start -> ip_vs_conn_array) walks the hash table from
# its first entry again for every read(2) of at most a page (about 60 entries), so a reading of N
# entries visits about N^2/120 of them. In this guest that is seconds at 50,000 entries and about
# an hour at 1,000,000 (Benchmarks/RESULTS.md), hence one round and only the dumps above 200,000.
#
# Environment: IPVS_PUSH (required), CONN_FLOOD (conn-flood compiled on the host; without it the
# scenario compiles Lab/guest/conn-flood.c with ${CC:-cc} in the guest), CONNTABLE_SIZES
# ("25000 50000 100000 1000000"), CONNTABLE_ROUNDS (3), CONNTABLE_TOOLS (the commands, of
# "dump-states dump ipvsadm cat", the default); above CONNTABLE_LARGE entries (200000)
# CONNTABLE_LARGE_TOOLS ("dump dump-states") and CONNTABLE_LARGE_ROUNDS (1) instead.
#
# Writes to $LAB_OUT: conntable.env (versions, guest memory, the hash table's size),
# sizes.tsv (size, entries listed by /proc/net/ip_vs_conn (cat's lines), entries the dump counted,
# orphaned ones it counted, seconds to generate, the kernel's Slab and MemFree before the rounds),
# timings.tsv (size, tool, round, order, wall, user, sys, maxrss_kB, collect_seconds, rc),
# logs/measure.log.
set -uo pipefail
. "$LAB_DIR/guest/lib.sh"

IPVS_PUSH=${IPVS_PUSH:?IPVS_PUSH must name the ipvs-push binary (--env IPVS_PUSH=...)}
SIZES=${CONNTABLE_SIZES:-25000 50000 100000 1000000}
ROUNDS=${CONNTABLE_ROUNDS:-3}
TOOLS=${CONNTABLE_TOOLS:-dump-states dump ipvsadm cat}
LARGE=${CONNTABLE_LARGE:-200000}
LARGE_TOOLS=${CONNTABLE_LARGE_TOOLS:-dump dump-states}
LARGE_ROUNDS=${CONNTABLE_LARGE_ROUNDS:-1}
SERVICES=4
WORK=$LAB_RUN/conntable
mkdir -p "$WORK"
must() { "$@" || lab_die "failed: $*"; }

[ -x "$IPVS_PUSH" ] || lab_die "IPVS_PUSH '$IPVS_PUSH' is not an executable"
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || lab_die "CONNTABLE_ROUNDS '$ROUNDS' must be a positive number"
[[ "$LARGE_ROUNDS" =~ ^[1-9][0-9]*$ ]] || lab_die "CONNTABLE_LARGE_ROUNDS '$LARGE_ROUNDS' must be a positive number"
[[ "$LARGE" =~ ^[0-9]+$ ]] || lab_die "CONNTABLE_LARGE '$LARGE' must be a number"
previous=0
for size in $SIZES; do
    [[ "$size" =~ ^[1-9][0-9]*$ && "$size" -gt "$previous" && "$size" -le 5000000 ]] ||
        lab_die "CONNTABLE_SIZES '$SIZES' must be ascending numbers up to 5000000"
    previous=$size
done

FLOOD=${CONN_FLOOD:-}
if [ -z "$FLOOD" ]; then
    FLOOD=$WORK/conn-flood
    must "${CC:-cc}" -O2 -o "$FLOOD" "$LAB_DIR/guest/conn-flood.c"
fi

lab_modprobe ip_vs ip_vs_rr dummy
{
    echo "link set lo up"
    echo "link add dummy0 type dummy"
    echo "link set dummy0 up"
    for i in $(seq 1 "$SERVICES"); do echo "address add 10.0.0.$i/32 dev dummy0"; done
    echo "route add 10.1.0.0/16 dev dummy0"
} >"$WORK/ip.batch"
must ip -batch "$WORK/ip.batch"
must ipvsadm --set 0 0 86400
for i in $(seq 1 "$SERVICES"); do
    echo "-A -u 10.0.0.$i:53 -s rr"
    for j in 1 2 3 4; do echo "-a -u 10.0.0.$i:53 -r 10.1.0.$(( (i - 1) * 4 + j )):53 -m -w 1"; done
done >"$WORK/rules"
must ipvsadm -R <"$WORK/rules"
echo 0 >/proc/sys/net/ipv4/vs/run_estimation 2>/dev/null

{
    echo "kernel=$(uname -r)"
    echo "ipvsadm_version=$(ipvsadm --version 2>&1 | head -n1)"
    echo "conn_tab_bits=$(cat /sys/module/ip_vs/parameters/conn_tab_bits 2>/dev/null || echo unknown)"
    echo "guest_mem_kB=$(awk '/^MemTotal/ { print $2 }' /proc/meminfo)"
    echo "guest_cpus=$(nproc)"
    echo "services=$SERVICES"
    echo "destinations_per_service=4"
    echo "rounds=$ROUNDS"
} >"$LAB_OUT/conntable.env"

printf 'size\tlisted\tcounted\torphaned\tgenerate_seconds\tslab_kB\tmemfree_kB\n' \
    >"$LAB_OUT/sizes.tsv"
printf 'size\ttool\tround\torder\twall\tuser\tsys\tmaxrss_kB\tcollect_seconds\trc\n' >"$LAB_OUT/timings.tsv"
previous=0
for size in $SIZES; do
    lab_log "generating entries $previous..$size"
    start=$EPOCHREALTIME
    sent=$("$FLOOD" 10.0.0.1 53 "$SERVICES" "$previous" "$size") || lab_die "conn-flood failed"
    generate_s=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')
    lab_log "sent $sent datagrams in $generate_s s"
    if [ "$previous" = 0 ]; then
        # Orphans: the entries of a real server that is removed while they stay.
        must ipvsadm -d -u "10.0.0.$SERVICES:53" -r "10.1.0.$((SERVICES * 4)):53"
    fi
    previous=$size
    tools=$TOOLS rounds=$ROUNDS
    [ "$size" -le "$LARGE" ] || tools=$LARGE_TOOLS rounds=$LARGE_ROUNDS
    lab_log "measuring $tools at $size entries, $rounds round(s)"
    "$LAB_PYTHON" - "$size" "$rounds" "$IPVS_PUSH" "$generate_s" "$LAB_OUT" "$tools" <<'PY' >>"$LAB_OUT/logs/measure.log" 2>&1 ||
import os, subprocess, sys, time

size, rounds, ipvs_push, generate_s, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
known = {
    "dump-states": ("ipvs-push dump --connection-states", [ipvs_push, "dump", "--connection-states"]),
    "dump": ("ipvs-push dump", [ipvs_push, "dump"]),
    "ipvsadm": ("ipvsadm -Lnc", ["ipvsadm", "-Lnc"]),
    "cat": ("cat /proc/net/ip_vs_conn", ["cat", "/proc/net/ip_vs_conn"]),
}
tools = [known[name] for name in sys.argv[6].split()]

# Every output is read through a pipe in 1 MiB blocks: the dumps' (a few hundred lines) are kept
# for their values, the others' only counted. Each read of /proc/net/ip_vs_conn is a full walk
# of the table in the kernel, so nothing reads it outside the timed runs.
def run(argv, keep):
    start = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    kept, lines = [], 0
    while block := child.stdout.read(1 << 20):
        lines += block.count(b"\n")
        if keep:
            kept.append(block)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    return wall, usage, os.waitstatus_to_exitcode(status), b"".join(kept).decode(), lines

def total(text, name):
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(name + "{"))

def meminfo(field):
    return next(int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith(field + ":"))

facts = {"listed": "", "counted": "", "orphaned": ""}
slab, memfree = meminfo("Slab"), meminfo("MemFree")
rows = []
for index in range(rounds):
    for position in range(len(tools)):
        name, argv = tools[(position + index) % len(tools)]
        keep = name.startswith("ipvs-push")
        wall, usage, rc, text, lines = run(argv, keep)
        collect = f"{total(text, 'ipvs_collect_duration_seconds'):.6f}" if keep else ""
        if name == "ipvs-push dump --connection-states" and rc == 0:
            facts["counted"] = str(int(total(text, "ipvs_connection_entries")))
            facts["orphaned"] = str(int(total(text, "ipvs_connection_entries_orphaned")))
        elif name == "cat /proc/net/ip_vs_conn" and rc == 0:
            facts["listed"] = str(lines - 1)
        rows.append(f"{size}\t{name}\t{index + 1}\t{position + 1}\t{wall:.4f}\t{usage.ru_utime:.4f}"
                    f"\t{usage.ru_stime:.4f}\t{usage.ru_maxrss}\t{collect}\t{rc}")
        print(f"size {size} round {index + 1}: {name}: {wall:.3f} s, maxrss {usage.ru_maxrss} kB, rc {rc}", flush=True)
with open(os.path.join(out, "timings.tsv"), "a") as f:
    f.write("\n".join(rows) + "\n")
with open(os.path.join(out, "sizes.tsv"), "a") as f:
    f.write(f"{size}\t{facts['listed']}\t{facts['counted']}\t{facts['orphaned']}\t{generate_s}"
            f"\t{slab}\t{memfree}\n")
print(f"size {size}: {facts}", flush=True)
PY
        lab_die "measuring at $size entries failed (see logs/measure.log)"
    lab_log "size $size measured"
done
lab_log "done"
