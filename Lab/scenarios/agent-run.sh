#!/bin/bash
# The production-run scenario: `ipvs-push run --config FILE` driving a Pushgateway, two
# remote-write receivers (VictoriaMetrics and Prometheus' own receiver) and /metrics at once
# from one collection per interval, against a frozen IPVS state in two namespaces (the guest's
# own and a Docker-style ingress). Then SIGHUP with a changed file (external label, a
# write_relabel_configs drop rule for Prometheus, the Pushgateway job), SIGHUP with an invalid
# file, a VictoriaMetrics outage that builds a backlog in the on-disk queue, SIGTERM during the
# outage, and VictoriaMetrics back on the same port and data: the agent must wait for it, drain
# the backlog within its shutdown grace and exit 0.
# Tests/LabTests/LabAgentRunTests.swift checks the files.
#
# Environment: IPVS_PUSH (absolute path of the ipvs-push binary, required);
# LAB_SECRET_VM_PASSWORD, LAB_SECRET_PROM_TOKEN, LAB_SECRET_PG_PASSWORD: the credentials the
# configuration gives (basic_auth password_file for VictoriaMetrics, inline
# authorization.credentials for Prometheus, inline basic_auth password for the Pushgateway; the
# receivers ignore them). Without them the scenario makes up its own and writes them to
# secrets.env (the test passes its own, so that no output file holds them).
#
# Files in $LAB_OUT (besides ipvs-lab's scenario.{stdout,stderr,rc}, init.log, console.log):
#   logs/agent.log, logs/agent.stdout  the agent's standard error (JSON lines, debug) and output
#   logs/{pushgateway,victoria-metrics,prometheus,servers,ingress-servers,clients}.log
#   config.redacted.yml                the first configuration, secrets replaced by <secret>
#   truth.run/                         ipvsadm around the scrape metrics-a.prom (lab_capture_stable)
#   namespaces.tsv, mangle.<ns>, ip_vs_conn.<ns>  as in the integration scenario
#   metrics-a.prom                     /metrics after both receivers acknowledged batches
#   pushgateway-a.json                 the gateway's /api/v1/metrics then
#   metrics-reload.prom, pushgateway-reload.json  after SIGHUP with the changed file
#   metrics-invalid.prom               after SIGHUP with the invalid file
#   metrics-backlog.prom               during the outage, once VictoriaMetrics' queue holds >= 3
#                                      batches and 3 cycles ran since it stopped
#   agent.rc                           the agent's exit status after SIGTERM (or "timeout")
#   shutdown.env                       running_before_restart=yes|no: the agent, 3 s after SIGTERM,
#                                      still waiting for VictoriaMetrics
#   victoria-export.jsonl              VictoriaMetrics' ipvs_* series after the agent exited
#   prometheus-export.json             Prometheus' ipvs_* series (range query over the run)
#   pushgateway-final.json             the gateway's groups at the end
#   events.env                         times (ms since the epoch) of the steps:
#                                      agent_started, hup_valid, hup_valid_applied, hup_invalid,
#                                      hup_invalid_rejected, victoria_stopped, sigterm,
#                                      victoria_started, agent_exited
set -uo pipefail
. "$LAB_DIR/guest/lib.sh"

: "${IPVS_PUSH:?IPVS_PUSH must name the ipvs-push binary}"
INGRESS_NAME=ingress_sbox
INGRESS=/var/run/docker/netns/$INGRESS_NAME
AGENT_DIR=$LAB_RUN/agent
CONFIG=$AGENT_DIR/agent.yml
AGENT_LOG=$LAB_OUT/logs/agent.log
PUSHGATEWAY=http://127.0.0.1:9091
VICTORIA=http://127.0.0.1:8428
PROMETHEUS=http://127.0.0.1:9090
METRICS=http://127.0.0.1:9100/metrics
VICTORIA_WRITE=$VICTORIA/api/v1/write
PROMETHEUS_WRITE=$PROMETHEUS/api/v1/write

must() { "$@" || lab_die "failed: $*"; }
in_ingress() { nsenter --net="$INGRESS" -- "$@"; }
now_ms() { local t=${EPOCHREALTIME/./}; echo "${t:0:-3}"; }
event() { echo "$1=$(now_ms)" >>"$LAB_OUT/events.env"; lab_log "event $1"; }

if [ -z "${LAB_SECRET_VM_PASSWORD:-}" ] || [ -z "${LAB_SECRET_PROM_TOKEN:-}" ] ||
    [ -z "${LAB_SECRET_PG_PASSWORD:-}" ]; then
    LAB_SECRET_VM_PASSWORD=vm-$RANDOM$RANDOM$RANDOM LAB_SECRET_PROM_TOKEN=prom-$RANDOM$RANDOM$RANDOM
    LAB_SECRET_PG_PASSWORD=pg-$RANDOM$RANDOM$RANDOM
    printf 'LAB_SECRET_VM_PASSWORD=%s\nLAB_SECRET_PROM_TOKEN=%s\nLAB_SECRET_PG_PASSWORD=%s\n' \
        "$LAB_SECRET_VM_PASSWORD" "$LAB_SECRET_PROM_TOKEN" "$LAB_SECRET_PG_PASSWORD" >"$LAB_OUT/secrets.env"
fi
: >"$LAB_OUT/events.env"

lab_log "agent-run scenario starting"
lab_load_base
lab_load_ipvs
lab_docker_netns "$INGRESS_NAME"

# --- 1. IPVS: a few services in both namespaces, a state that stays still -------------------------
# Connection entries must not expire during the run (the values are compared across minutes):
# established TCP and UDP entries get 15 minutes, and the only TCP traffic is held connections.
{
    echo "link add dummy0 type dummy"
    echo "link set dummy0 up"
    for i in 1 2 3; do echo "address add 10.0.0.$i/32 dev dummy0"; done
    echo "address add 10.9.9.9/32 dev lo"
    echo "address add 10.9.9.10/32 dev lo"
    echo "link add vh0 type veth peer name eth0 netns $INGRESS_NAME"
    echo "address add 10.255.0.1/24 dev vh0"
    echo "link set vh0 up"
} >"$LAB_RUN/ip.batch"
must ip -batch "$LAB_RUN/ip.batch"
printf '%s\n' "link set lo up" "address add 10.255.0.2/24 dev eth0" "link set eth0 up" >"$LAB_RUN/ip-ingress.batch"
must in_ingress ip -batch "$LAB_RUN/ip-ingress.batch"

lab_serve servers "" http,10.9.9.9,8080 http,10.9.9.10,8080 udp,10.9.9.9,5353 udp,10.9.9.10,5353
lab_serve ingress-servers "$INGRESS" http,10.255.0.2,8080 udp,10.255.0.2,5353

must ipvsadm --set 900 120 900
must ipvsadm -R <<'RULES'
-A -t 10.0.0.1:80 -s rr
-a -t 10.0.0.1:80 -r 10.9.9.9:8080 -m -w 1
-a -t 10.0.0.1:80 -r 10.9.9.10:8080 -m -w 2
-A -u 10.0.0.2:53 -s wrr
-a -u 10.0.0.2:53 -r 10.9.9.9:5353 -m -w 3
-a -u 10.0.0.2:53 -r 10.9.9.10:5353 -m -w 1
-A -u 10.0.0.3:53 -s rr -o
-a -u 10.0.0.3:53 -r 10.9.9.9:5353 -m
-A -f 1 -s wlc
-a -f 1 -r 10.1.0.20:0 -g -w 3
RULES
must in_ingress ipvsadm --set 900 120 900
must in_ingress iptables-legacy-restore --noflush <<'MANGLE'
*mangle
-A PREROUTING -p tcp -m tcp --dport 30000 -j MARK --set-xmark 0x104/0xffffffff
-A PREROUTING -p udp -m udp --dport 30001 -j MARK --set-xmark 0x105/0xffffffff
COMMIT
MANGLE
must in_ingress ipvsadm -R <<'RULES'
-A -f 260 -s rr
-a -f 260 -r 10.255.0.2:8080 -m -w 1
-A -f 261 -s rr
-a -f 261 -r 10.255.0.2:5353 -m
RULES
must lab_wait_ready servers ingress-servers
lab_traffic clients "" udp-fire,10.0.0.3,53,7 udp-send,10.0.0.2,53,8 udp-send,10.255.0.2,30001,5 \
    hold,10.0.0.1,80 hold,10.255.0.2,30000
must lab_wait_ready clients
lab_freeze_rates "" "$INGRESS"
lab_log "IPVS built, traffic done, estimators stopped"

# --- 2. The sinks, inside the guest on loopback ---------------------------------------------------
start_victoria() {
    victoria-metrics -httpListenAddr=127.0.0.1:8428 -storageDataPath="$LAB_RUN/victoria" \
        -memory.allowedPercent=10 -search.latencyOffset=0s >>"$LAB_OUT/logs/victoria-metrics.log" 2>&1 &
    VICTORIA_PID=$!
}
mkdir -p "$LAB_RUN/pushgateway" "$AGENT_DIR"
prometheus-pushgateway --web.listen-address=127.0.0.1:9091 --persistence.file="$LAB_RUN/pushgateway/data" \
    >"$LAB_OUT/logs/pushgateway.log" 2>&1 &
PUSHGATEWAY_PID=$!
start_victoria
printf 'scrape_configs: []\n' >"$LAB_RUN/prometheus.yml"
prometheus --config.file="$LAB_RUN/prometheus.yml" --storage.tsdb.path="$LAB_RUN/prometheus" \
    --web.listen-address=127.0.0.1:9090 --web.enable-remote-write-receiver >"$LAB_OUT/logs/prometheus.log" 2>&1 &
PROMETHEUS_PID=$!
lab_wait_http pushgateway "$PUSHGATEWAY_PID" "$PUSHGATEWAY/-/ready"
lab_wait_http victoria-metrics "$VICTORIA_PID" "$VICTORIA/health"
lab_wait_http prometheus "$PROMETHEUS_PID" "$PROMETHEUS/-/ready"

# --- 3. The configuration ---------------------------------------------------------------------
# write_config JOB EXTRA_LABEL_LINE INTERVAL [PROMETHEUS_RELABEL_LINES]: the file, written
# atomically (a reload never sees half of it). The VictoriaMetrics password file is given
# relative to the file's directory.
printf '%s\n' "$LAB_SECRET_VM_PASSWORD" >"$AGENT_DIR/vm-password"
write_config() {
    local job=$1 extra=$2 interval=$3 relabel=${4:-}
    cat >"$CONFIG.tmp" <<EOF
# ipvs-push run --config, lab scenario agent-run
global:
  interval: $interval
  shutdown_grace: 120s
  external_labels:
    lab: agent-run
$extra
  queue_directory: $AGENT_DIR/queue
collection:
  namespace_paths: [$INGRESS]
pushgateway:
  url: $PUSHGATEWAY
  job: $job
  instance: guest
  timeout: 10s
  basic_auth:
    username: lab-pushgateway
    password: "$LAB_SECRET_PG_PASSWORD"
remote_write:
  - url: $VICTORIA_WRITE
    name: victoria
    remote_timeout: 10s
    basic_auth:
      username: lab-victoria
      password_file: vm-password
    headers:
      X-Lab-Sink: victoria
    queue_config:
      min_backoff: 100ms
      max_backoff: 1s
  - url: $PROMETHEUS_WRITE
    name: prometheus
    remote_timeout: 10s
    authorization:
      credentials: "$LAB_SECRET_PROM_TOKEN"
    headers:
      X-Lab-Sink: prometheus
    queue_config:
      max_backoff: 1s
$relabel
serve:
  listen_address: 127.0.0.1:9100
EOF
    mv "$CONFIG.tmp" "$CONFIG"
}
write_config lab-run "" 1s
sed -e "s/$LAB_SECRET_PG_PASSWORD/<secret>/; s/$LAB_SECRET_PROM_TOKEN/<secret>/" "$CONFIG" \
    >"$LAB_OUT/config.redacted.yml"
must "$IPVS_PUSH" check-config "$CONFIG"

# --- 4. The agent ---------------------------------------------------------------------------------
"$IPVS_PUSH" run --config "$CONFIG" --log-format json --log-level debug \
    >"$LAB_OUT/logs/agent.stdout" 2>"$AGENT_LOG" </dev/null &
AGENT_PID=$!
event agent_started

# metric FILE NAME URL: the value of the sample NAME{...,url="URL"} in FILE, or nothing.
metric() {
    local line
    while IFS= read -r line; do
        case "$line" in "$2{"*"url=\"$3\""*) echo "${line##* }"; return 0 ;; esac
    done <"$1"
    return 1
}
scrape() { curl -sS --max-time 10 -o "$1" "$METRICS"; }
# wait_metric WHAT TEST_FUNCTION: scrapes /metrics into $LAB_RUN/poll.prom until the function
# (given that file) succeeds; at most 180 s.
wait_metric() {
    local what=$1 test=$2 deadline=$((SECONDS + 180))
    while :; do
        kill -0 "$AGENT_PID" 2>/dev/null || lab_die "the agent exited while waiting until $what (see logs/agent.log)"
        if scrape "$LAB_RUN/poll.prom" 2>/dev/null && "$test" "$LAB_RUN/poll.prom"; then break; fi
        [ "$SECONDS" -lt "$deadline" ] || lab_die "timed out after 180 s waiting until $what"
        lab_sleep 0.5
    done
    lab_log "$what"
}
# wait_log WHAT TEXT: until the agent's log holds TEXT; at most 180 s.
wait_log() {
    local what=$1 text=$2 deadline=$((SECONDS + 180))
    until grep -qF -- "$text" "$AGENT_LOG"; do
        kill -0 "$AGENT_PID" 2>/dev/null || lab_die "the agent exited while waiting until $what (see logs/agent.log)"
        [ "$SECONDS" -lt "$deadline" ] || lab_die "timed out after 180 s waiting until $what"
        lab_sleep 0.2
    done
    lab_log "$what"
}
# at_least FILE NAME URL MINIMUM
at_least() { local value; value=$(metric "$1" "$2" "$3") && [ "${value%.*}" -ge "$4" ] 2>/dev/null; }
both_sent() {
    at_least "$1" ipvs_push_remote_write_batches_sent_total "$VICTORIA_WRITE" 3 &&
        at_least "$1" ipvs_push_remote_write_batches_sent_total "$PROMETHEUS_WRITE" 3
}
cycles_logged() { grep -c '"msg":"collected","source":"Agent"' "$AGENT_LOG"; }
# At least 3 cycles queued since VictoriaMetrics stopped (CYCLES_AT_STOP). One more than 3
# is awaited: a cycle that began before the stop may be logged just after CYCLES_AT_STOP was
# counted, and the test counts only cycles that began after the stop.
backlog() {
    at_least "$1" ipvs_push_remote_write_queue_batches "$VICTORIA_WRITE" 3 &&
        [ "$(cycles_logged)" -ge $((CYCLES_AT_STOP + 4)) ]
}

# --- 5a. All sinks at once; /metrics against ipvsadm ---------------------------------------------
wait_metric "both receivers acknowledged 3 batches" both_sent
scrape_a() { scrape "$LAB_OUT/metrics-a.prom" || lab_log "scraping /metrics failed"; }
lab_capture_stable truth.run 5 scrape_a host= ingress="$INGRESS"
lab_describe_namespaces host= ingress="$INGRESS"
curl -sS --max-time 30 -o "$LAB_OUT/pushgateway-a.json" "$PUSHGATEWAY/api/v1/metrics" ||
    lab_log "reading the gateway failed"

# --- 5b. SIGHUP with a changed file, then with an invalid one --------------------------------------
# The change: an external label, the Pushgateway job, and a rule that keeps the real servers'
# series from Prometheus.
DROP_DESTINATIONS='    write_relabel_configs:
      - source_labels: [__name__]
        regex: ipvs_destination_.+
        action: drop'
write_config lab-run-2 "    reload: \"2\"" 1s "$DROP_DESTINATIONS"
event hup_valid
kill -HUP "$AGENT_PID"
wait_log "the changed file was applied" '"msg":"configuration applied"'
event hup_valid_applied
lab_sleep 3
scrape "$LAB_OUT/metrics-reload.prom" || lab_log "scraping /metrics failed"
curl -sS --max-time 30 -o "$LAB_OUT/pushgateway-reload.json" "$PUSHGATEWAY/api/v1/metrics" ||
    lab_log "reading the gateway failed"

write_config lab-run-2 "    reload: \"2\"" every-second "$DROP_DESTINATIONS"
event hup_invalid
kill -HUP "$AGENT_PID"
wait_log "the invalid file was rejected" '"msg":"configuration reload rejected'
event hup_invalid_rejected
lab_sleep 3
scrape "$LAB_OUT/metrics-invalid.prom" || lab_log "scraping /metrics failed"

# --- 5c. A backlog for VictoriaMetrics; SIGTERM while it is down; it comes back ---------------------
# The agent stops collecting at once and waits (shutdown grace 120 s) until the receiver is back
# and has everything; only then may it exit.
kill "$VICTORIA_PID"
wait "$VICTORIA_PID"
event victoria_stopped
CYCLES_AT_STOP=$(cycles_logged)
wait_metric "3 cycles queued for VictoriaMetrics" backlog
cp "$LAB_RUN/poll.prom" "$LAB_OUT/metrics-backlog.prom"
kill -TERM "$AGENT_PID"
event sigterm
lab_sleep 3
if kill -0 "$AGENT_PID" 2>/dev/null; then
    echo "running_before_restart=yes" >"$LAB_OUT/shutdown.env"
else
    echo "running_before_restart=no" >"$LAB_OUT/shutdown.env"
fi
start_victoria
lab_wait_http victoria-metrics "$VICTORIA_PID" "$VICTORIA/health"
event victoria_started
deadline=$((SECONDS + 300))
while kill -0 "$AGENT_PID" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do lab_sleep 0.2; done
if kill -0 "$AGENT_PID" 2>/dev/null; then
    echo timeout >"$LAB_OUT/agent.rc"
    kill -KILL "$AGENT_PID"
    wait "$AGENT_PID"
    lab_log "the agent did not stop within 300 s of SIGTERM"
else
    wait "$AGENT_PID"
    echo $? >"$LAB_OUT/agent.rc"
fi
event agent_exited

# --- 6. What each sink holds -----------------------------------------------------------------------
end=$((${EPOCHREALTIME%.*} + 60))
curl -sS --max-time 60 -o /dev/null "$VICTORIA/internal/force_flush" --next --max-time 60 -G \
    -o "$LAB_OUT/victoria-export.jsonl" --data-urlencode 'match[]={__name__=~"ipvs_.+"}' \
    --data-urlencode "end=$end" "$VICTORIA/api/v1/export" || lab_log "exporting from victoria-metrics failed"
curl -sS --max-time 60 -G -o "$LAB_OUT/prometheus-export.json" \
    --data-urlencode 'query={__name__=~"ipvs_.+"}[1h]' --data-urlencode "time=$end" "$PROMETHEUS/api/v1/query" ||
    lab_log "querying prometheus failed"
curl -sS --max-time 30 -o "$LAB_OUT/pushgateway-final.json" "$PUSHGATEWAY/api/v1/metrics" ||
    lab_log "reading the gateway failed"
for pid in "$PUSHGATEWAY_PID" "$VICTORIA_PID" "$PROMETHEUS_PID"; do kill "$pid"; done
for pid in "$PUSHGATEWAY_PID" "$VICTORIA_PID" "$PROMETHEUS_PID"; do wait "$pid"; done
lab_stop_background
lab_log "agent-run scenario done"
exit 0
