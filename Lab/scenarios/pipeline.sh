#!/bin/bash
# The whole pipeline against the kernel (issue 15, `make bench` part labpipeline): what it costs to
# get BENCH_SERVICES x BENCH_DESTS (10,000 x 3) virtual services from a real IPVS into a
# remote-write receiver every 5 s, by
#   A  `ipvs-push run --remote-write` reading the kernel over netlink (one process), without and
#      with --queue-dir (written behind, to the guest's tmpfs: a batch is written only when the
#      receiver does not acknowledge it at once, and the collections before its first answer);
#   B  prometheus-node-exporter --collector.disable-defaults --collector.ipvs (reads
#      /proc/net/ip_vs and /proc/net/ip_vs_stats) scraped every 5 s by vmagent, which remote-writes
#      (two processes: both are charged).
# The host-side pipeline part (Benchmarks/scripts/pipeline.py) feeds every pipeline the same text;
# this one measures what an operator would deploy on the node, reading the kernel itself, so the
# two sides send different series: ipvs-push its IPVS metric set (per service and real server:
# connections, packets, bytes, their rates; about 600,000 series at 10,000 x 3), node_exporter
# three gauges per real server plus totals (node_ipvs_backend_*, node_ipvs_*: about 90,000). The
# table therefore gives the CPU per cycle (what each pipeline costs the node every interval) and per
# sample (per unit of data delivered), and the series per cycle of each.
#
# One guest boot: the table restored with `ipvsadm -R` (lab_bench_table; no traffic, estimator
# stopped, so the counters do not move), one VictoriaMetrics on the loopback (storage in the
# guest's tmpfs; its CPU is charged to no pipeline) receiving both, the series of both pipelines
# created first by one untimed import of an `ipvs-push dump` and of a node_exporter scrape (so
# no run pays VictoriaMetrics' creation of 600,000 series), then LABPIPELINE_ROUNDS rounds of
# each pipeline alone for LABPIPELINE_CYCLES intervals, the order rotating every round
# (Lab/guest/pipelines.py). Per run: user+system CPU of every process of the pipeline over its
# whole life (os.wait4's rusage: start, every cycle, the drain at SIGTERM; the measuring conventions
# of pipeline.py), summed; peak RSS (VmHWM, read until each process is gone: ru_maxrss of a child
# forked from Python starts at Python's RSS) summed; what VictoriaMetrics stored for the run's
# window per series (count_over_time): series, how many got each number of samples, their sum.
# Every series with the same number of samples means every cycle was delivered whole; that number
# is the cycles delivered, and CPU per cycle is the pipeline's CPU divided by it.
#
# The guest kernel runs one CPU: the pipeline, VictoriaMetrics and the driver share it, so wall
# times say little; CPU time is what is compared. Process starts are slow in the guest (0.1-1 s)
# and are part of each pipeline's whole-life CPU (once per run, over CYCLES cycles).
#
#   make bench BENCH_PARTS=labpipeline
#   Lab/ipvs-lab --mem 4G --timeout 3600 --out /tmp/labpipeline \
#       --env IPVS_PUSH=$PWD/.build/static/release/ipvs-push pipeline
# At 10,000 x 3 the host's vm.max_map_count must be raised first (1048576; run.sh does it): user-mode
# Linux maps each page of a guest process into a host process one by one, and VictoriaMetrics
# holding 690,000 series needs more than the default 65530 mappings (console.log: "UML ran out of
# memory on the host side"). The whole boot takes 25-30 minutes at 10,000 x 3 (each ipvs-push
# run spends 3-7 minutes in VictoriaMetrics' queries over 600,000 series), 2 minutes at 500 x 3.
#
# Environment: IPVS_PUSH (required), BENCH_SERVICES (10000), BENCH_DESTS (3), LABPIPELINE_CYCLES
# (10), LABPIPELINE_INTERVAL (5, seconds), LABPIPELINE_ROUNDS (2), LABPIPELINES
# (ipvs-push,ipvs-push-queue,node-exporter-vmagent), NODE_EXPORTER (/usr/bin/prometheus-node-exporter).
#
# Writes to $LAB_OUT: pipeline.env (sizes, versions, the series each source exposes), pipeline.tsv
# (one line per run: pipeline, round, order, rc, processes, CPU total/user/system and per process,
# peak RSS (VmHWM) total and per process, steady RSS (median summed VmRSS over the second half),
# series, IPVS series, samples stored, fewest/most samples a series got and "samples:series" for
# every number of samples seen, series created during the run, bytes left unsent in an on-disk
# queue after the stop (vmagent's, ipvs-push's --queue-dir), bytes VictoriaMetrics' listener read,
# run and query seconds), NAME-ROUND.rss.tsv (the pipeline's summed VmRSS over time), lab.env
# (sizes, kernel, guest memory and CPUs, the binary's sha256), restore.env, victoria-metrics.log,
# logs/ (each process).
set -uo pipefail
. "$LAB_DIR/guest/lib.sh"

IPVS_PUSH=${IPVS_PUSH:?IPVS_PUSH must name the ipvs-push binary (--env IPVS_PUSH=...)}
N=${BENCH_SERVICES:-10000}
D=${BENCH_DESTS:-3}
CYCLES=${LABPIPELINE_CYCLES:-10}
INTERVAL=${LABPIPELINE_INTERVAL:-5}
ROUNDS=${LABPIPELINE_ROUNDS:-2}
PIPELINES=${LABPIPELINES:-ipvs-push,ipvs-push-queue,node-exporter-vmagent}
NODE_EXPORTER=${NODE_EXPORTER:-/usr/bin/prometheus-node-exporter}
WORK=$LAB_RUN/pipeline
mkdir -p "$WORK"

[ -x "$IPVS_PUSH" ] || lab_die "IPVS_PUSH '$IPVS_PUSH' is not an executable"
[ -x "$NODE_EXPORTER" ] || lab_die "node_exporter '$NODE_EXPORTER' missing: apt-get install prometheus-node-exporter"
if ! command -v victoria-metrics >/dev/null || ! command -v vmagent >/dev/null; then
    lab_die "victoria-metrics and vmagent missing: apt-get install victoria-metrics"
fi
[[ "$CYCLES" =~ ^[1-9][0-9]*$ ]] || lab_die "LABPIPELINE_CYCLES '$CYCLES' must be a positive number"
[[ "$INTERVAL" =~ ^[1-9][0-9]*$ ]] || lab_die "LABPIPELINE_INTERVAL '$INTERVAL' must be a positive number of seconds"
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || lab_die "LABPIPELINE_ROUNDS '$ROUNDS' must be a positive number"

ip link set lo up
lab_bench_table "$N" "$D" "$WORK/rules"

{
    echo "services=$N"
    echo "destinations_per_service=$D"
    echo "kernel=$(uname -r)"
    echo "guest_mem_kB=$(awk '/^MemTotal/ { print $2 }' /proc/meminfo)"
    echo "guest_cpus=$(nproc)"
    echo "ipvs_push_sha256=$(sha256sum "$IPVS_PUSH" | cut -c1-12)"
} >"$LAB_OUT/lab.env"

lab_log "running $PIPELINES: $CYCLES cycles of $INTERVAL s, $ROUNDS round(s)"
"$LAB_PYTHON" "$LAB_GUEST/pipelines.py" --ipvs-push "$IPVS_PUSH" --node-exporter "$NODE_EXPORTER" \
    --out "$LAB_OUT" --work "$WORK" --cycles "$CYCLES" --interval "$INTERVAL" --rounds "$ROUNDS" \
    --pipelines "$PIPELINES" 2>"$LAB_OUT/logs/pipelines.log" ||
    { tail -n 5 "$LAB_OUT/logs/pipelines.log" >&2; lab_die "the pipelines failed (see logs/pipelines.log)"; }
grep ' round ' "$LAB_OUT/logs/pipelines.log" >&2
lab_log "done"
