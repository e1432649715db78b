#!/bin/bash
# The swarm-run scenario: `ipvs-push run` on a real one-node Docker Swarm (Debian's docker.io in
# the guest) while services are created, scaled and removed and overlay networks come and go,
# pushing every second to a Pushgateway and remote-writing to VictoriaMetrics, both in the
# guest. The agent finds the namespaces itself (--namespace-glob '/var/run/docker/netns/*') and
# names the services from the Engine API (--docker-host).
#
# Steps (each waits until Docker's IPVS state has converged, then records a checkpoint):
#   start     service_1 (published 30010), network app with web (2 replicas); traffic through
#             both; then the agent starts
#   create    service_2 (published 30011)
#   scale     web scaled to 3
#   remove    service_1 removed (its firewall-mark service goes: staleness markers)
#   network   network app2 with service api (1 replica): a new lb_ namespace
#   gone      api and app2 removed: the lb_ namespace goes (its Pushgateway group is deleted)
# A checkpoint waits 8 s first (the agent reads Docker at most every 5 s when a mark has no
# name), then notes the time (begin), records ipvsadm in every Docker namespace, waits 4 s (four
# agent cycles), records ipvsadm again and notes the time (end): every cycle between begin and end
# must hold exactly what ipvsadm holds (nothing moves the counters after the start's traffic).
#
#   Lab/ipvs-lab --mem 2G --timeout 1500 --out DIR --env IPVS_PUSH=$PWD/.build/debug/ipvs-push swarm-run
#
# Files in $LAB_OUT (besides ipvs-lab's own):
#   steps.tsv                  STEP BEGIN_MS END_MS, one line per checkpoint, in order
#   steps/STEP/                record_ipvs at begin (NAME/ipvsadm.{stats,list}, namespaces.tsv);
#                              after/ the same at end; services.txt (`docker service ls` names);
#                              pushgateway.json (the gateway's /api/v1/metrics at end);
#                              api/{services,networks}.json
#   services.env               service_1_mark=, service_2_mark=, web_mark=, api_mark=,
#                              app_lb=, app2_lb= (namespace paths)
#   traffic.env                ingress_failed=, vip_failed=
#   agent.rc, logs/agent.log   the agent's exit status after SIGTERM and its log (debug)
#   victoria-export.jsonl      VictoriaMetrics' ipvs_* series after the agent exited
#   pushgateway-final.json     the gateway's groups after the agent exited
#   timings.tsv                phase, start, end, seconds (guest uptime)
set -uo pipefail
. "$LAB_DIR/guest/lib.sh"

: "${IPVS_PUSH:?IPVS_PUSH must name the ipvs-push binary}"
DOCKER=$LAB_DOCKER
INGRESS=$LAB_DOCKER_NETNS/ingress_sbox
IMAGE=bb:1
HTTPD=(/bin/httpd -f -p 80 -h /www)
PUSHGATEWAY=http://127.0.0.1:9091
VICTORIA=http://127.0.0.1:8428
STEPS=$LAB_OUT/steps.tsv

lab_timings_start
: >"$STEPS"

# now_ms: milliseconds since the epoch in REPLY, without a process (EPOCHREALTIME is s.micro).
now_ms() { REPLY=${EPOCHREALTIME/./}; REPLY=${REPLY:0:${#REPLY}-3}; }

# create_service NAME ARGS...: `docker service create --detach --name NAME ARGS... IMAGE httpd`.
create_service() {
    local name=$1; shift
    "$DOCKER" service create --detach --name "$name" --no-resolve-image "$@" "$IMAGE" "${HTTPD[@]}" \
        >"$LAB_OUT/logs/create-$name.log" 2>&1 || lab_die "docker service create $name failed (see logs/create-$name.log)"
}

# wait_no_mark NSPATH MARK: until the namespace has no firewall-mark service MARK (or is gone).
wait_no_mark() {
    local ns=$1 mark=$2 deadline=$((SECONDS + 120)) line found file=$LAB_RUN/wait-no-mark.txt
    while :; do
        [ -e "$ns" ] || return 0
        lab_nsh "$ns" "ipvsadm -Ln >$file 2>&1"
        found=
        while IFS= read -r line; do [[ "$line" == "FWM  $mark "* ]] && found=1; done <"$file"
        [ -z "$found" ] && return 0
        [ "$SECONDS" -lt "$deadline" ] || lab_die "${ns##*/} still has FWM $mark after 120 s"
        lab_sleep 0.3
    done
}

# wait_gone PATH: until the namespace file is gone.
wait_gone() {
    local deadline=$((SECONDS + 120))
    while [ -e "$1" ]; do
        [ "$SECONDS" -lt "$deadline" ] || lab_die "$1 still exists after 120 s"
        lab_sleep 0.3
    done
}

# record_ipvs DIR: `ipvsadm -Ln --stats --exact` and `ipvsadm -Ln` of ingress_sbox and every
# lb_ namespace in $LAB_OUT/DIR/NAME/ipvsadm.{stats,list}, and DIR/namespaces.tsv as
# lab_docker_record_netns writes it (NAME PATH KIND SERVICES FWMARKS) for those namespaces: the
# only ones Docker gives IPVS services (containers' have none, see the swarm scenario), read in
# one shell each, so that a checkpoint takes seconds, not a minute.
record_ipvs() {
    local base=$LAB_OUT/$1 path name dir q services marks line
    mkdir -p "$base"
    : >"$base/namespaces.tsv"
    for path in "$INGRESS" "$LAB_DOCKER_NETNS"/lb_*; do
        [ -e "$path" ] || continue
        name=${path##*/} dir=$base/${path##*/}
        mkdir -p "$dir"
        q=$(printf '%q' "$dir")
        lab_nsh "$path" "ipvsadm -Ln --stats --exact >$q/ipvsadm.stats 2>&1; ipvsadm -Ln >$q/ipvsadm.list 2>&1"
        services=0 marks=
        while IFS= read -r line; do
            case "$line" in "FWM  "*) services=$((services + 1)); line=${line#FWM  }; marks+=${marks:+,}${line%% *} ;; esac
        done <"$dir/ipvsadm.list"
        printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$path" "${name%%_*}" "$services" "${marks:--}" >>"$base/namespaces.tsv"
    done
}

# checkpoint STEP: see the header.
checkpoint() {
    local step=$1 dir=$LAB_OUT/steps/$1 begin end
    kill -0 "$AGENT_PID" 2>/dev/null || lab_die "the agent exited before step $step (see logs/agent.log)"
    lab_sleep 8
    now_ms; begin=$REPLY
    record_ipvs "steps/$step"
    "$DOCKER" service ls --format '{{.Name}}' >"$dir/services.txt" 2>&1
    mkdir -p "$dir/api"
    lab_docker_api "$dir/api/services.json=/services" "$dir/api/networks.json=/networks"
    lab_sleep 4
    record_ipvs "steps/$step/after"
    curl -sS --max-time 10 -o "$dir/pushgateway.json" "$PUSHGATEWAY/api/v1/metrics" \
        || lab_log "reading the Pushgateway failed at $step"
    now_ms; end=$REPLY
    printf '%s\t%s\t%s\n' "$step" "$begin" "$end" >>"$STEPS"
    lab_log "checkpoint $step: $begin..$end"
}

# --- 1. Engine, swarm, image, receivers --------------------------------------------------------
lab_phase_begin engine
lab_docker_start 180
lab_swarm_init
lab_busybox_image "$IMAGE"
mkdir -p "$LAB_RUN/pushgateway"
prometheus-pushgateway --web.listen-address=127.0.0.1:9091 --persistence.file="$LAB_RUN/pushgateway/data" \
    >"$LAB_OUT/logs/pushgateway.log" 2>&1 &
PUSHGATEWAY_PID=$!
LAB_PIDS+=("$PUSHGATEWAY_PID")
victoria-metrics -httpListenAddr=127.0.0.1:8428 -storageDataPath="$LAB_RUN/victoria" \
    -memory.allowedPercent=10 -search.latencyOffset=0s >"$LAB_OUT/logs/victoria-metrics.log" 2>&1 &
VICTORIA_PID=$!
LAB_PIDS+=("$VICTORIA_PID")
lab_wait_http pushgateway "$PUSHGATEWAY_PID" "$PUSHGATEWAY/-/ready"
lab_wait_http victoria-metrics "$VICTORIA_PID" "$VICTORIA/health"
lab_phase_end

# --- 2. The start: one published service, one VIP service, traffic through both -------------------
lab_phase_begin start
create_service service_1 --publish published=30010,target=80 --replicas 1
APP_ID=$("$DOCKER" network create -d overlay app 2>"$LAB_OUT/logs/network-app.log") \
    || lab_die "docker network create app failed"
create_service web --network app --replicas 2
lab_swarm_wait_replicas 300 service_1=1 web=2
lab_swarm_wait_ipvs "$INGRESS" "--dport 30010 " 1 120
SERVICE_1_MARK=$LAB_SWARM_FWMARK
lab_wait_rule "" nat "--dport 30010 -j DNAT" 60
lab_swarm_vip web "$APP_ID"; WEB_VIP=$REPLY
lab_swarm_lb_netns "$APP_ID"; APP_LB=$REPLY
lab_swarm_wait_ipvs "$APP_LB" "-d $WEB_VIP/32 " 2 120
WEB_MARK=$LAB_SWARM_FWMARK
ingress_failed=0
lab_traffic ingress-clients "" "http-get,http://$LAB_DOCKER_ADDR:30010/,10"
lab_wait_ready ingress-clients || ingress_failed=1
vip_failed=0
lab_docker_api "$LAB_RUN/containers.json=/containers/json"
CONTAINER=$(jq -r '[.[] | select(.Labels["com.docker.swarm.service.name"] == "web")][0].Id' "$LAB_RUN/containers.json")
lab_docker_api "$LAB_RUN/container.json=/containers/$CONTAINER/json"
SANDBOX_KEY=$(jq -r '.NetworkSettings.SandboxKey' "$LAB_RUN/container.json")
lab_traffic vip-clients "$SANDBOX_KEY" "http-get,http://$WEB_VIP/,5"
lab_wait_ready vip-clients || vip_failed=1
printf 'ingress_failed=%s\nvip_failed=%s\n' "$ingress_failed" "$vip_failed" >"$LAB_OUT/traffic.env"
# The kernel's rate estimates would still move for a while after the traffic: stop them, so that
# every cycle of the run reads the same numbers as ipvsadm.
for path in "$INGRESS" "$APP_LB"; do lab_nsh "$path" "sysctl -qw net.ipv4.vs.run_estimation=0"; done

"$IPVS_PUSH" run --interval 1s --namespace-glob "$LAB_DOCKER_NETNS/*" --docker-host "unix://$LAB_DOCKER_SOCK" \
    --pushgateway "$PUSHGATEWAY" --job ipvs --instance node1 --remote-write "$VICTORIA/api/v1/write" \
    --shutdown-grace 20s --log-level debug >"$LAB_OUT/logs/agent.log" 2>&1 &
AGENT_PID=$!
checkpoint start
lab_phase_end

# --- 3. Changes ------------------------------------------------------------------------------------
lab_phase_begin create
create_service service_2 --publish published=30011,target=80 --replicas 1
lab_swarm_wait_replicas 300 service_2=1
lab_swarm_wait_ipvs "$INGRESS" "--dport 30011 " 1 120
SERVICE_2_MARK=$LAB_SWARM_FWMARK
checkpoint create
lab_phase_end

lab_phase_begin scale
"$DOCKER" service scale --detach web=3 >"$LAB_OUT/logs/scale-web.log" 2>&1 || lab_die "docker service scale web=3 failed"
lab_swarm_wait_replicas 300 web=3
lab_swarm_wait_ipvs "$APP_LB" "-d $WEB_VIP/32 " 3 120
checkpoint scale
lab_phase_end

lab_phase_begin remove
"$DOCKER" service rm service_1 >"$LAB_OUT/logs/rm-service_1.log" 2>&1 || lab_die "docker service rm service_1 failed"
wait_no_mark "$INGRESS" "$SERVICE_1_MARK"
checkpoint remove
lab_phase_end

lab_phase_begin network
APP2_ID=$("$DOCKER" network create -d overlay app2 2>"$LAB_OUT/logs/network-app2.log") \
    || lab_die "docker network create app2 failed"
create_service api --network app2 --replicas 1
lab_swarm_wait_replicas 300 api=1
lab_swarm_vip api "$APP2_ID"; API_VIP=$REPLY
lab_swarm_lb_netns "$APP2_ID"; APP2_LB=$REPLY
lab_swarm_wait_ipvs "$APP2_LB" "-d $API_VIP/32 " 1 120
API_MARK=$LAB_SWARM_FWMARK
checkpoint network
lab_phase_end

lab_phase_begin gone
"$DOCKER" service rm api >"$LAB_OUT/logs/rm-api.log" 2>&1 || lab_die "docker service rm api failed"
# The network can be removed once the service's tasks are gone.
deadline=$((SECONDS + 120))
until "$DOCKER" network rm app2 >"$LAB_OUT/logs/rm-app2.log" 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || lab_die "docker network rm app2 kept failing (see logs/rm-app2.log)"
    lab_sleep 1
done
wait_gone "$APP2_LB"
checkpoint gone
lab_phase_end

{
    printf 'service_1_mark=%s\nservice_2_mark=%s\nweb_mark=%s\napi_mark=%s\n' \
        "$SERVICE_1_MARK" "$SERVICE_2_MARK" "$WEB_MARK" "$API_MARK"
    printf 'app_lb=%s\napp2_lb=%s\nweb_vip=%s\napi_vip=%s\n' "$APP_LB" "$APP2_LB" "$WEB_VIP" "$API_VIP"
} >"$LAB_OUT/services.env"

# --- 4. Stop, read back ----------------------------------------------------------------------------
lab_phase_begin stop
kill -TERM "$AGENT_PID"
wait "$AGENT_PID"
echo $? >"$LAB_OUT/agent.rc"
curl -sS --max-time 30 "$VICTORIA/internal/force_flush" >/dev/null || lab_log "force_flush failed"
curl -sS --max-time 60 -o "$LAB_OUT/victoria-export.jsonl" \
    "$VICTORIA/api/v1/export?match%5B%5D=%7B__name__%3D~%22ipvs_.%2A%22%7D" || lab_log "export failed"
curl -sS --max-time 10 -o "$LAB_OUT/pushgateway-final.json" "$PUSHGATEWAY/api/v1/metrics" \
    || lab_log "reading the Pushgateway failed"
lab_phase_end
lab_stop_background
lab_log "swarm-run scenario done"
