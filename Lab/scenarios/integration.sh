#!/bin/bash
# The integration scenario: one boot builds every kind of IPVS object the collector must
# report (TCP/UDP/SCTP over IPv4 and IPv6, firewall marks, every forwarding method, weights,
# thresholds, persistence with netmask and engine, scheduler flags, one-packet scheduling, a
# Docker-Swarm-like ingress namespace with MARK rules; timeouts, sysctls and sync daemons that
# differ between the two namespaces; a service whose two real servers are removed and set to
# weight 0 while connections through them stay open), moves real traffic through them, then records the
# product's reading and ipvsadm's (and sysctl's) at the same moment, plus the product's error
# cases. Tests/LabTests compares the two.
#
# Environment: IPVS_PUSH, absolute path of the ipvs-push binary (optional: without it only the
# ground truth is written).
#
# Files in $LAB_OUT (besides ipvs-lab's scenario.{stdout,stderr,rc}, init.log, console.log):
#   err-no-ipvs.{stdout,stderr,rc}        ipvs-push dump before ip_vs is loaded
#   err-nonexistent.{stdout,stderr,rc}    ipvs-push dump --namespace-path /nonexistent
#   err-not-netns.{stdout,stderr,rc}      ipvs-push dump --namespace-path /run/lab/not-a-namespace
#                                         (a regular file)
#   err-unprivileged.{stdout,stderr,rc}   ipvs-push dump as uid/gid 65534 without capabilities
#   dump.prom, dump.prom.{stderr,rc}      ipvs-push dump --namespace-path <ingress> --connection-states
#   dump.om, dump.om.{stderr,rc}          the same with --format openmetrics
#   dump.telegraf.prom{,.stderr,.rc}      ipvs-push dump --namespace-path <ingress> --compat telegraf
#   truth.{prom,om,telegraf,serve,once,run}/  ipvsadm around each reading (see lab_capture_stable):
#       ipvsadm.<ns>.{rate,stats,persistent-conn,conn}[.before], ipvsadm.<ns>.{list,exact,thresholds},
#       ipvsadm.<ns>.{timeout,daemon}, sysctl.<ns> (the settings: different timeouts in each
#       namespace, a master sync daemon in the host and a backup in the ingress, whose conn lists
#       the host's connections; sysctls changed in the ingress),
#       capture.env (stable=yes|no, attempts=, stable_attempt=), capture.log
#   namespaces.tsv                        "<ns>\t<path>" for host (path empty) and ingress
#   mangle.<ns>, ip_vs_conn.<ns>          iptables-legacy-save -t mangle, /proc/net/ip_vs_conn
#   traffic.env (traffic_failed=0|1), logs/*.log (servers, clients, pushgateway)
#   serve.prom, serve.rc, logs/serve.log  one scrape of ipvs-push serve --namespace-path <ingress>
#                                         --connection-states (truth.serve/ around it), its exit
#                                         status after SIGTERM
#   once-pushgateway.{stdout,stderr,rc}   ipvs-push once --namespace-path <ingress> --connection-states
#                                         --job lab --instance guest, to a prometheus-pushgateway
#                                         in the guest, after the dumps (truth.once/ around it)
#   pushgateway.json, pushgateway.prom    that gateway's /api/v1/metrics and /metrics afterwards
#   run-pushgateway.prom, run.rc, logs/run.log  ipvs-push run --pushgateway (job lab-run)
#                                         --interval 1s --namespace-path <ingress> --connection-states,
#                                         started inside truth.run/'s capture and stopped with
#                                         SIGTERM after two cycles; the gateway's /metrics then
#   once-remote-write.{stdout,stderr,rc}  ipvs-push once --remote-write to a victoria-metrics in
#                                         the guest --namespace-path <ingress>, after the above;
#   once-remote-write.window              start= and end= (ms since the epoch) around that run
#   victoria-export.jsonl                 everything it stored (/api/v1/export, JSON lines)
set -uo pipefail
. "$LAB_DIR/guest/lib.sh"

IPVS_PUSH=${IPVS_PUSH:-}
INGRESS_NAME=ingress_sbox
INGRESS=/var/run/docker/netns/$INGRESS_NAME
NOT_NETNS=$LAB_RUN/not-a-namespace

must() { "$@" || lab_die "failed: $*"; }
in_ingress() { nsenter --net="$INGRESS" -- "$@"; }

push() {
    # push NAME ARGS...: runs the product if it is given, recording stdout/stderr/exit status.
    local name=$1; shift
    if [ -z "$IPVS_PUSH" ]; then lab_log "IPVS_PUSH not set: skipping $name"; return 0; fi
    lab_record "$name" "$IPVS_PUSH" "$@"
    lab_log "ipvs-push $* -> exit $(<"$LAB_OUT/$name.rc")"
}

lab_log "integration scenario starting (IPVS_PUSH=${IPVS_PUSH:-unset})"
lab_load_base
lab_log "base modules loaded"

lab_docker_netns "$INGRESS_NAME"

# --- 1. The product before IPVS exists in the kernel --------------------------------------
lab_ipvs_loaded && lab_die "ip_vs is loaded before the scenario loaded it"
push err-no-ipvs dump

lab_load_ipvs
lab_log "ip_vs and schedulers loaded"

# --- 2. Links and addresses ------------------------------------------------------------------
# The ingress namespace hangs off the guest's own through a veth pair 10.255.0.1 <-> .2.
{
    echo "link add dummy0 type dummy"
    echo "link set dummy0 up"
    for i in $(seq 1 17); do echo "address add 10.0.0.$i/32 dev dummy0"; done
    for i in $(seq 1 6); do echo "address add 2001:db8::$i/128 dev dummy0 nodad"; done
    echo "address add 10.9.9.9/32 dev lo"
    echo "address add 10.9.9.10/32 dev lo"
    echo "address add fd00::9/128 dev lo nodad"
    echo "address add fd00::10/128 dev lo nodad"
    echo "link add vh0 type veth peer name eth0 netns $INGRESS_NAME"
    echo "address add 10.255.0.1/24 dev vh0"
    echo "link set vh0 up"
} >"$LAB_RUN/ip.batch"
must ip -batch "$LAB_RUN/ip.batch"
printf '%s\n' "link set lo up" "address add 10.255.0.2/24 dev eth0" "link set eth0 up" >"$LAB_RUN/ip-ingress.batch"
must in_ingress ip -batch "$LAB_RUN/ip-ingress.batch"

# --- 3. Real servers (one process per namespace) -----------------------------------------------
# UDP servers bind each address: a reply from a wildcard socket may leave with another source
# address than the one IPVS forwarded to, and IPVS then cannot match it to the connection.
lab_serve servers "" http,::,8080 sctp,::,3868 udp,10.9.9.9,5353 udp,10.9.9.10,5353 udp,fd00::9,5353
lab_serve ingress-servers "$INGRESS" http,10.255.0.2,8080 udp,10.255.0.2,5353

# --- 4. Services in the guest's own namespace ---------------------------------------------------
must ipvsadm -R <<'RULES'
-A -t 10.0.0.1:80 -s rr
-a -t 10.0.0.1:80 -r 10.9.9.9:8080 -m -w 1
-a -t 10.0.0.1:80 -r 10.9.9.10:8080 -m -w 2
-A -t 10.0.0.2:80 -s wlc -p 300 -M 255.255.255.0
-a -t 10.0.0.2:80 -r 10.9.9.9:8080 -m -w 5 -x 50 -y 5
-a -t 10.0.0.2:80 -r 10.9.9.10:8080 -m -w 0
-A -u 10.0.0.3:53 -s rr -o
-a -u 10.0.0.3:53 -r 10.9.9.9:5353 -m
-a -u 10.0.0.3:53 -r 10.9.9.10:5353 -m
-A --sctp-service 10.0.0.4:3868 -s rr
-a --sctp-service 10.0.0.4:3868 -r 10.9.9.9:3868 -m
-A -t 10.0.0.5:443 -s sh -b sh-port,sh-fallback
-a -t 10.0.0.5:443 -r 10.1.0.1:443 -g -w 1
-a -t 10.0.0.5:443 -r 10.1.0.2:443 -g -w 2 -x 200 -y 20
-a -t 10.0.0.5:443 -r 10.1.0.3:443 -i -w 1
-A -t 10.0.0.6:8000 -s lc
-a -t 10.0.0.6:8000 -r 10.1.0.4:8000 -m -w 1
-A -u 10.0.0.7:5060 -s rr -p 60 --pe sip
-a -u 10.0.0.7:5060 -r 10.1.0.6:5060 -m
-A -t 10.0.0.8:80 -s mh -b mh-port
-a -t 10.0.0.8:80 -r 10.1.0.7:80 -m
-a -t 10.0.0.8:80 -r 10.1.0.8:80 -m
-A -t 10.0.0.9:81 -s dh
-A -t 10.0.0.10:80 -s sed
-a -t 10.0.0.10:80 -r 10.1.0.9:80 -g
-A -u 10.0.0.11:123 -s nq
-a -u 10.0.0.11:123 -r 10.1.0.10:123 -m -x 5
-A -t 10.0.0.12:80 -s lblcr
-a -t 10.0.0.12:80 -r 10.1.0.11:80 -m
-A -t 10.0.0.13:80 -s fo
-a -t 10.0.0.13:80 -r 10.1.0.12:80 -m -w 10
-a -t 10.0.0.13:80 -r 10.1.0.13:80 -m -w 20
-A -t 10.0.0.14:80 -s ovf
-a -t 10.0.0.14:80 -r 10.1.0.14:80 -m -w 3
-A -t 10.0.0.15:80 -s lblc
-a -t 10.0.0.15:80 -r 10.1.0.15:80 -m
-A -t 10.0.0.16:80 -s wrr
-a -t 10.0.0.16:80 -r 10.1.0.16:80 -m -w 7
-a -t 10.0.0.16:80 -r 10.1.0.17:80 -m -w 3
-A -f 1 -s wlc
-a -f 1 -r 10.1.0.20:0 -g -w 3
-A -f 2 -6 -s rr -p 600
-a -f 2 -6 -r [fd00::1:1]:0 -i
-A -t [2001:db8::1]:80 -s rr
-a -t [2001:db8::1]:80 -r [fd00::9]:8080 -m -w 2
-a -t [2001:db8::1]:80 -r [fd00::10]:8080 -m -w 1
-A -u [2001:db8::2]:53 -s wrr
-a -u [2001:db8::2]:53 -r [fd00::9]:5353 -m
-A --sctp-service [2001:db8::3]:3868 -s rr
-a --sctp-service [2001:db8::3]:3868 -r [fd00::9]:3868 -m
-A -t [2001:db8::4]:443 -s sh -b sh-port -p 120 -M 64
-a -t [2001:db8::4]:443 -r [fd00::1:2]:443 -g
-a -t [2001:db8::4]:443 -r [fd00::1:3]:443 -i -x 10 -y 2
-A -u [2001:db8::5]:53 -s rr -o -p 30
-a -u [2001:db8::5]:53 -r [fd00::1:4]:53 -m
-A -t [2001:db8::6]:80 -s lc
-A -t 10.0.0.17:80 -s rr
-a -t 10.0.0.17:80 -r 10.9.9.9:8080 -m -w 1
-a -t 10.0.0.17:80 -r 10.9.9.10:8080 -m -w 1
RULES
# The local and bypass methods: ipvsadm cannot ask for them (see ipvs-dest.py).
must lab_ipvs_dest --batch <<'DESTS'
-t 10.0.0.6:8000 -r 10.9.9.9:8000 --forward local -w 4
-t 10.0.0.6:8000 -r 10.1.0.5:8000 --forward bypass -w 1
-t [2001:db8::6]:80 -r [fd00::9]:80 --forward local
DESTS
lab_log "host namespace services built"

# --- 5. The ingress namespace, as Docker Swarm builds it -----------------------------------
must in_ingress iptables-legacy-restore --noflush <<'MANGLE'
*mangle
-A PREROUTING -p tcp -m tcp --dport 30000 -j MARK --set-xmark 0x104/0xffffffff
-A PREROUTING -p udp -m udp --dport 30001 -j MARK --set-xmark 0x105/0xffffffff
COMMIT
MANGLE
# Mark 262 has no rule: a service whose published port is unknown.
must in_ingress ipvsadm -R <<'RULES'
-A -f 260 -s rr
-a -f 260 -r 10.255.0.2:8080 -m -w 1
-a -f 260 -r 10.255.0.20:8080 -m -w 0
-A -f 261 -s rr
-a -f 261 -r 10.255.0.2:5353 -m
-A -f 262 -s rr
-a -f 262 -r 10.255.0.21:80 -m
RULES
lab_log "ingress namespace built"

# --- 5b. Settings: timeouts, sync daemons, sysctls -----------------------------------------------
# Each namespace has its own timeouts (neither the defaults 900 120 300), and the ingress its own
# sysctls. A master sync daemon in the guest's namespace sends its connections over the veth pair
# to a backup in the ingress, which lists them (ipvsadm.ingress.conn) though it has no such service.
must ipvsadm --set 7200 60 120
must ipvsadm --start-daemon master --mcast-interface vh0 --syncid 7
must lab_nsh "$INGRESS" "ipvsadm --set 1800 30 45 && ipvsadm --start-daemon backup --mcast-interface eth0 --syncid 7"
{
    for setting in conn_reuse_mode=0 expire_nodest_conn=1 expire_quiescent_template=1 sloppy_tcp=1 sloppy_sctp=1 \
        schedule_icmp=1 ignore_tunneled=1 "sync_threshold=5 100"; do
        printf 'echo %q >/proc/sys/net/ipv4/vs/%s || exit 1\n' "${setting#*=}" "${setting%%=*}"
    done
} >"$LAB_RUN/ingress-sysctls.sh"
must lab_nsh "$INGRESS" ". $LAB_RUN/ingress-sysctls.sh"
lab_log "timeouts, sync daemons and ingress sysctls set"

must lab_wait_ready servers ingress-servers
lab_log "servers ready"

# --- 6. Traffic (one client process; it keeps two connections open afterwards) ------------------
lab_traffic clients "" \
    http-get,http://10.0.0.1/,30 http-get,http://10.0.0.2/,6 udp-fire,10.0.0.3,53,10 \
    sctp-send,10.0.0.4,3868,4 "http-get,http://[2001:db8::1]/,12" udp-send,2001:db8::2,53,6 \
    sctp-send,2001:db8::3,3868,3 http-get,http://10.255.0.2:30000/,16 udp-send,10.255.0.2,30001,5 \
    hold,10.0.0.1,80 hold,10.255.0.2,30000 hold,10.0.0.17,80 hold,10.0.0.17,80
traffic_failed=0
lab_wait_ready clients || traffic_failed=1
lab_log "traffic done (failed=$traffic_failed)"
# The black hole: 10.0.0.17:80 holds one connection through each of its real servers (rr); one
# server is removed and the other set to weight 0 while they stay open. Their connection entries
# stay (expire_nodest_conn is 0 in the host), pointing at a real server the service no longer has.
must ipvsadm -d -t 10.0.0.17:80 -r 10.9.9.10:8080
must ipvsadm -e -t 10.0.0.17:80 -r 10.9.9.9:8080 -m -w 0
lab_log "10.0.0.17:80: a real server removed and one at weight 0 with connections open"
# Keep the rates of a tick after the traffic (non-zero) for the rest of the boot.
lab_freeze_rates "" "$INGRESS"
lab_log "rate estimators stopped"

# --- 7. The product's error cases with IPVS present ------------------------------------------
echo "not a namespace" >"$NOT_NETNS"
push err-nonexistent dump --namespace-path /nonexistent
push err-not-netns dump --namespace-path "$NOT_NETNS"
if [ -n "$IPVS_PUSH" ]; then
    lab_record err-unprivileged setpriv --reuid=65534 --regid=65534 --clear-groups \
        --inh-caps=-all --bounding-set=-all "$IPVS_PUSH" dump
    lab_log "unprivileged ipvs-push dump -> exit $(<"$LAB_OUT/err-unprivileged.rc")"
fi

# --- 8. The readings and the ground truth around each -----------------------------------------
read_prom() {
    [ -n "$IPVS_PUSH" ] || return 0
    "$IPVS_PUSH" dump --namespace-path "$INGRESS" --connection-states >"$LAB_OUT/dump.prom" \
        2>"$LAB_OUT/dump.prom.stderr"
    echo $? >"$LAB_OUT/dump.prom.rc"
}
read_om() {
    [ -n "$IPVS_PUSH" ] || return 0
    "$IPVS_PUSH" dump --namespace-path "$INGRESS" --connection-states --format openmetrics \
        >"$LAB_OUT/dump.om" 2>"$LAB_OUT/dump.om.stderr"
    echo $? >"$LAB_OUT/dump.om.rc"
}
read_telegraf() {
    [ -n "$IPVS_PUSH" ] || return 0
    "$IPVS_PUSH" dump --namespace-path "$INGRESS" --compat telegraf >"$LAB_OUT/dump.telegraf.prom" \
        2>"$LAB_OUT/dump.telegraf.prom.stderr"
    echo $? >"$LAB_OUT/dump.telegraf.prom.rc"
}
lab_capture_stable truth.prom 5 read_prom host= ingress="$INGRESS"
lab_capture_stable truth.om 5 read_om host= ingress="$INGRESS"
lab_capture_stable truth.telegraf 5 read_telegraf host= ingress="$INGRESS"
lab_describe_namespaces host= ingress="$INGRESS"

# --- 9. serve, once and run with --connection-states, each inside its own capture ---------------
# Each of the other three commands reads the same frozen state as the dumps, with the connection
# table counted, and ipvsadm (-Lnc, --timeout, --daemon, sysctl) is read around it as around the
# dumps: truth.serve, truth.once, truth.run. The Pushgateway keeps its state under /run (Debian's
# default persistence file is the host's, read-only here); readiness is probed with bash's
# /dev/tcp, which starts no process.
PUSHGATEWAY_PORT=9091
PUSHGATEWAY_URL=http://127.0.0.1:$PUSHGATEWAY_PORT
SERVE_PORT=9100
# wait_listening NAME PID PORT: until 127.0.0.1:PORT accepts a connection (at most 60 s).
wait_listening() {
    local name=$1 pid=$2 port=$3 deadline=$((SECONDS + 60)) probe
    until { exec {probe}<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null; do
        kill -0 "$pid" 2>/dev/null || lab_die "$name exited (see logs/$name.log)"
        [ "$SECONDS" -lt "$deadline" ] || lab_die "$name did not listen within 60 s"
        lab_sleep 0.1
    done
    exec {probe}>&-
    lab_log "$name listening"
}
# count_lines FILE TEXT: how many lines of FILE contain TEXT (bash only), in REPLY.
count_lines() {
    local line
    REPLY=0
    while IFS= read -r line; do [[ $line == *"$2"* ]] && REPLY=$((REPLY + 1)); done <"$1"
}
# stop_process NAME PID: SIGTERM, then its exit status in $LAB_OUT/NAME.rc.
stop_process() {
    kill -TERM "$2"
    wait "$2"
    echo $? >"$LAB_OUT/$1.rc"
}

serve_case() {
    [ -n "$IPVS_PUSH" ] || return 0
    local pid
    "$IPVS_PUSH" serve --listen-address "127.0.0.1:$SERVE_PORT" --namespace-path "$INGRESS" --connection-states \
        >"$LAB_OUT/logs/serve.log" 2>&1 </dev/null &
    pid=$!
    wait_listening serve "$pid" "$SERVE_PORT"
    read_serve() {
        curl -sS --max-time 30 -o "$LAB_OUT/serve.prom" "http://127.0.0.1:$SERVE_PORT/metrics" \
            || lab_log "scraping serve's /metrics failed"
    }
    lab_capture_stable truth.serve 5 read_serve host= ingress="$INGRESS"
    stop_process serve "$pid"
    lab_log "serve stopped (exit $(<"$LAB_OUT/serve.rc"))"
}

# once, then run, to one gateway: once's groups (job lab) are read before run pushes its own
# (job lab-run). Every once (an attempt of the capture) replaces its groups (PUT).
pushgateway_case() {
    [ -n "$IPVS_PUSH" ] || return 0
    local dir=$LAB_RUN/pushgateway pid
    mkdir -p "$dir"
    prometheus-pushgateway --web.listen-address="127.0.0.1:$PUSHGATEWAY_PORT" \
        --persistence.file="$dir/pushgateway.data" >"$LAB_OUT/logs/pushgateway.log" 2>&1 &
    pid=$!
    wait_listening pushgateway "$pid" "$PUSHGATEWAY_PORT"
    push_once() {
        push once-pushgateway once --pushgateway "$PUSHGATEWAY_URL" --namespace-path "$INGRESS" \
            --connection-states --job lab --instance guest
    }
    lab_capture_stable truth.once 5 push_once host= ingress="$INGRESS"
    curl -sS --max-time 30 -o "$LAB_OUT/pushgateway.json" "$PUSHGATEWAY_URL/api/v1/metrics" \
        --next --max-time 30 -o "$LAB_OUT/pushgateway.prom" "$PUSHGATEWAY_URL/metrics" \
        || lab_log "reading the gateway failed"
    # run: started inside the capture, so that every collection it pushes falls between the
    # ipvsadm readings; stopped (SIGTERM: its last collection is pushed first) after two cycles.
    push_run() {
        local agent deadline=$((SECONDS + 60))
        : >"$LAB_OUT/logs/run.log"
        "$IPVS_PUSH" run --pushgateway "$PUSHGATEWAY_URL" --job lab-run --instance guest --interval 1s \
            --namespace-path "$INGRESS" --connection-states --log-format json --log-level debug \
            >>"$LAB_OUT/logs/run.log" 2>&1 </dev/null &
        agent=$!
        while count_lines "$LAB_OUT/logs/run.log" '"msg":"collected","source":"Agent"'; [ "$REPLY" -lt 2 ]; do
            kill -0 "$agent" 2>/dev/null || break
            [ "$SECONDS" -lt "$deadline" ] || { lab_log "run collected fewer than 2 times within 60 s"; break; }
            lab_sleep 0.1
        done
        stop_process run "$agent"
        curl -sS --max-time 30 -o "$LAB_OUT/run-pushgateway.prom" "$PUSHGATEWAY_URL/metrics" \
            || lab_log "reading the gateway after run failed"
    }
    lab_capture_stable truth.run 5 push_run host= ingress="$INGRESS"
    lab_log "run stopped (exit $(<"$LAB_OUT/run.rc"))"
    kill "$pid"
    wait "$pid"
    lab_log "pushgateway stopped"
}
serve_case
pushgateway_case

# --- 10. once remote-writing to VictoriaMetrics in the guest -----------------------------------
# Every series of dump.prom must arrive with its value (but the inactive connections, which expire
# meanwhile), all stamped with the one collection time. VictoriaMetrics keeps its data under /run (tmpfs) and needs ~20 MB.
VICTORIA_URL=http://127.0.0.1:8428
victoria_case() {
    [ -n "$IPVS_PUSH" ] || return 0
    local pid start end
    victoria-metrics -httpListenAddr=127.0.0.1:8428 -storageDataPath="$LAB_RUN/victoria" \
        -memory.allowedPercent=10 >"$LAB_OUT/logs/victoria-metrics.log" 2>&1 &
    pid=$!
    wait_listening victoria-metrics "$pid" 8428
    start=${EPOCHREALTIME/./}
    push once-remote-write once --remote-write "$VICTORIA_URL/api/v1/write" --namespace-path "$INGRESS"
    end=${EPOCHREALTIME/./}
    printf 'start=%s\nend=%s\n' "${start:0:-3}" "${end:0:-3}" >"$LAB_OUT/once-remote-write.window"
    # One curl for both requests (a process start is costly here). The export's default end is
    # the current whole second, which would leave out what was just written: ask for a minute more.
    curl -sS --max-time 30 -o /dev/null "$VICTORIA_URL/internal/force_flush" --next --max-time 30 -G \
        -o "$LAB_OUT/victoria-export.jsonl" --data-urlencode 'match[]={__name__!=""}' \
        --data-urlencode "end=$((${EPOCHREALTIME%.*} + 60))" "$VICTORIA_URL/api/v1/export" \
        || lab_log "exporting from victoria-metrics failed"
    lab_log "victoria-metrics exported"
    kill "$pid"
    wait "$pid"
    lab_log "victoria-metrics stopped"
}
victoria_case

lab_stop_background
printf 'traffic_failed=%s\n' "$traffic_failed" >"$LAB_OUT/traffic.env"
lab_log "integration scenario done"
exit "$traffic_failed"
