#!/bin/bash
# What the systemd unit (deploy/systemd/ipvs-push.service) allows, against what ipvs-push does:
# `ipvs-push run --config` as the unit runs it (uid/gid 65534 with CAP_NET_ADMIN and
# CAP_SYS_ADMIN ambient), reading the host namespace and a Docker-style ingress namespace with a
# firewall-mark service (so iptables-nft-save runs too), a sync daemon and a connection entry whose real
# server has weight 0 (counted: collection.connection_states), serving /metrics and remote-writing to
# an address that refuses (libcurl's connect and retry path), reloaded with SIGHUP and stopped
# with SIGTERM, all under `strace -f`. The tests check every system call against the unit's
# SystemCallFilter, the memory mappings against MemoryDenyWriteExecute, the sockets against
# RestrictAddressFamilies, setns against RestrictNamespaces, the files written against
# ProtectSystem=strict, and the dashboard's metric names against what /metrics served.
#
#   Lab/ipvs-lab --out DIR --env IPVS_PUSH=$PWD/.build/debug/ipvs-push deployment
#
# Writes in $LAB_OUT: strace.log (strace -f -tt output; the first lines are setpriv's),
# run.first.prom and run.second.prom (/metrics before and after the reload), run.threads
# (every thread's capability lines), run.log, run.rc, config.yml, strace.path.
set -uo pipefail
. "$LAB_DIR/guest/lib.sh"

IPVS_PUSH=${IPVS_PUSH:?IPVS_PUSH must name the ipvs-push binary}
INGRESS_NAME=ingress_sbox
INGRESS=/var/run/docker/netns/$INGRESS_NAME
PORT=9178
QUEUE=$LAB_RUN/queue
must() { "$@" || lab_die "failed: $*"; }
in_ingress() { nsenter --net="$INGRESS" -- "$@"; }

command -v strace >"$LAB_OUT/strace.path" || lab_die "strace is missing (apt-get install strace)"
lab_load_base
lab_docker_netns "$INGRESS_NAME"
lab_load_ipvs
ip link set lo up
must in_ingress ip link set lo up
must ipvsadm -A -t 10.1.2.3:80 -s rr
must ipvsadm -a -t 10.1.2.3:80 -r 10.9.9.9:8080 -m -w 1
must in_ingress iptables-legacy -t mangle -A PREROUTING -p tcp --dport 30000 -j MARK --set-mark 260
must in_ingress ipvsadm -A -f 260 -s rr
must in_ingress ipvsadm -a -f 260 -r 10.0.1.5:80 -m -w 1
# A master sync daemon, so that /metrics has every family the dashboard shows.
must ip link add sync0 type veth peer name sync1
must ip link set sync0 up
must ipvsadm --start-daemon master --mcast-interface sync0
# A connection entry (one UDP datagram, bash's /dev/udp: no process) whose real server is then set
# to weight 0, so that collection.connection_states reads the table and /metrics has
# ipvs_connection_entries and ipvs_connection_entries_orphaned.
must ip addr add 10.1.2.3/32 dev lo
must ip addr add 10.9.9.9/32 dev lo
must ipvsadm -A -u 10.1.2.3:53 -s rr
must ipvsadm -a -u 10.1.2.3:53 -r 10.9.9.9:5353 -m -w 1
echo entry >/dev/udp/10.1.2.3/53 || lab_die "sending the UDP datagram failed"
must ipvsadm -e -u 10.1.2.3:53 -r 10.9.9.9:5353 -m -w 0

mkdir -p "$QUEUE"
chown 65534:65534 "$QUEUE"
chmod 0700 "$QUEUE"
cat >"$LAB_OUT/names.yml" <<EOF
services:
  - name: web
    protocol: tcp
    address: 10.1.2.3
    port: 80
EOF
cat >"$LAB_OUT/config.yml" <<EOF
global:
  interval: 1s
  shutdown_grace: 1s
  queue_directory: $QUEUE
  log_level: debug
collection:
  namespace_paths:
    - $INGRESS
  connection_states: true
names:
  file: $LAB_OUT/names.yml
remote_write:
  - url: http://127.0.0.1:9/api/v1/write
serve:
  listen_address: "127.0.0.1:$PORT"
EOF

strace -f -qq -o "$LAB_OUT/strace.log" \
    setpriv --reuid=65534 --regid=65534 --clear-groups \
    --inh-caps=+net_admin,+sys_admin --ambient-caps=+net_admin,+sys_admin \
    "$IPVS_PUSH" run --config "$LAB_OUT/config.yml" >"$LAB_OUT/run.log" 2>&1 &
tracer=$!

deadline=$((SECONDS + 90))
until { exec {probe}<>"/dev/tcp/127.0.0.1/$PORT"; } 2>/dev/null; do
    kill -0 "$tracer" 2>/dev/null || { wait "$tracer"; echo $? >"$LAB_OUT/run.rc"; lab_die "run exited (see run.log)"; }
    [ "$SECONDS" -lt "$deadline" ] || lab_die "run did not listen within 90 s"
    lab_sleep 0.2
done
exec {probe}>&-
read -r agent _ </proc/"$tracer"/task/"$tracer"/children
lab_sleep 3
curl -sS --max-time 30 -o "$LAB_OUT/run.first.prom" "http://127.0.0.1:$PORT/metrics" || lab_log "first scrape failed"
: >"$LAB_OUT/run.threads"
for task in /proc/"$agent"/task/*; do
    grep -E '^(Name|Pid|CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs):' "$task/status" >>"$LAB_OUT/run.threads"
    echo >>"$LAB_OUT/run.threads"
done
kill -HUP "$agent"
lab_sleep 3
curl -sS --max-time 30 -o "$LAB_OUT/run.second.prom" "http://127.0.0.1:$PORT/metrics" || lab_log "second scrape failed"
kill -TERM "$agent"
wait "$tracer"
echo $? >"$LAB_OUT/run.rc"
lab_log "run stopped"
