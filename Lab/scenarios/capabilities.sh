#!/bin/bash
# Least privilege: `ipvs-push serve --namespace-path <ingress>` drops every capability but
# CAP_NET_ADMIN once it has entered the Docker-style ingress namespace, and still reads it: a
# firewall-mark service and MARK rule added afterwards show up with their published port (the
# mangle table is read without CAP_SYS_ADMIN and without CAP_NET_RAW). Run twice: as root, and
# as uid/gid 65534 with CAP_NET_ADMIN and CAP_SYS_ADMIN ambient (what systemd's
# AmbientCapabilities= and `docker run --cap-add` give a non-root user).
#
#   Lab/ipvs-lab --out DIR --env IPVS_PUSH=$PWD/.build/debug/ipvs-push capabilities
#
# Writes, per mode (root, user), in $LAB_OUT:
#   cap-<mode>.first.prom      the first scrape (fwmark 260 -> tcp 30000)
#   cap-<mode>.second.prom     a scrape after fwmark 261 and its rule (tcp 30001) were added
#   cap-<mode>.threads         every thread's /proc status lines (Name, Pid, Cap*, NoNewPrivs),
#                              read after the first scrape; threads separated by blank lines
#   cap-<mode>.threads-after   the same after the second scrape
#   cap-<mode>.log, cap-<mode>.rc   serve's log (--log-level debug) and exit status after SIGTERM
#   setpriv.path               where setpriv is (empty when missing)
set -uo pipefail
. "$LAB_DIR/guest/lib.sh"

IPVS_PUSH=${IPVS_PUSH:?IPVS_PUSH must name the ipvs-push binary}
INGRESS_NAME=ingress_sbox
INGRESS=/var/run/docker/netns/$INGRESS_NAME
PORT=9177
must() { "$@" || lab_die "failed: $*"; }
in_ingress() { nsenter --net="$INGRESS" -- "$@"; }

lab_load_base
lab_docker_netns "$INGRESS_NAME"
lab_load_ipvs
ip link set lo up
must in_ingress ip link set lo up
must in_ingress iptables-legacy -t mangle -A PREROUTING -p tcp --dport 30000 -j MARK --set-mark 260
must in_ingress ipvsadm -A -f 260 -s rr
must in_ingress ipvsadm -a -f 260 -r 10.0.1.5:80 -m -w 1
command -v setpriv >"$LAB_OUT/setpriv.path" || : >"$LAB_OUT/setpriv.path"

# threads PID FILE: every thread's name, id, capability sets and no_new_privs.
threads() {
    local task
    : >"$2"
    for task in /proc/"$1"/task/*; do
        grep -E '^(Name|Pid|CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs):' "$task/status" >>"$2"
        echo >>"$2"
    done
}

# scrape FILE: GET /metrics into FILE.
scrape() {
    curl -sS --max-time 30 -o "$1" "http://127.0.0.1:$PORT/metrics" || lab_log "scrape into $1 failed"
}

# run_mode MODE PREFIX...: serve under PREFIX (empty for root), scrape, add fwmark 261, scrape.
run_mode() {
    local mode=$1 pid probe deadline=$((SECONDS + 60))
    shift
    "$@" "$IPVS_PUSH" serve --listen-address "127.0.0.1:$PORT" --namespace-path "$INGRESS" \
        --log-level debug >"$LAB_OUT/cap-$mode.log" 2>&1 &
    pid=$!
    until { exec {probe}<>"/dev/tcp/127.0.0.1/$PORT"; } 2>/dev/null; do
        kill -0 "$pid" 2>/dev/null || { lab_log "$mode: serve exited"; wait "$pid"; echo $? >"$LAB_OUT/cap-$mode.rc"; return; }
        [ "$SECONDS" -lt "$deadline" ] || lab_die "$mode: serve did not listen within 60 s"
        lab_sleep 0.1
    done
    exec {probe}>&-
    scrape "$LAB_OUT/cap-$mode.first.prom"
    threads "$pid" "$LAB_OUT/cap-$mode.threads"

    in_ingress iptables-legacy -t mangle -A PREROUTING -p tcp --dport 30001 -j MARK --set-mark 261
    in_ingress ipvsadm -A -f 261 -s wrr
    in_ingress ipvsadm -a -f 261 -r 10.0.1.6:80 -m -w 2
    scrape "$LAB_OUT/cap-$mode.second.prom"
    threads "$pid" "$LAB_OUT/cap-$mode.threads-after"

    kill -TERM "$pid"
    wait "$pid"
    echo $? >"$LAB_OUT/cap-$mode.rc"
    in_ingress ipvsadm -D -f 261
    in_ingress iptables-legacy -t mangle -D PREROUTING -p tcp --dport 30001 -j MARK --set-mark 261
    lab_log "$mode done"
}

run_mode root
run_mode user setpriv --reuid=65534 --regid=65534 --clear-groups \
    --inh-caps=+net_admin,+sys_admin --ambient-caps=+net_admin,+sys_admin
