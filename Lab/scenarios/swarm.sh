#!/bin/bash
# The swarm scenario: a real one-node Docker Swarm (Debian's docker.io, Engine 20.10) in the
# guest, with the services of ingress_ipvs_exporter's README example (service_1..3, each
# `--publish 80`, published ports 30000-30002 from the routing mesh) and a VIP service `web`
# (2 replicas) on an overlay network `app`. Once both have converged (their firewall-mark
# services exist with their real servers), sends 10 HTTP requests from the guest's own namespace
# to 192.0.2.10:<service_1's port> (the routing mesh: DNAT to ingress_sbox, IPVS there) and 5
# from the namespace of one of web's containers to web's VIP (IPVS in lb_<network>); then
# records what Docker built (every namespace under /var/run/docker/netns, the Engine API's
# answers) and, with IPVS_PUSH, the product's readings beside ipvsadm's. Needs --mem 2G and a
# --timeout of several minutes (about 4-5 minutes on a 2-core host):
#   Lab/ipvs-lab --mem 2G --timeout 900 --out DIR --env IPVS_PUSH=$PWD/.build/debug/ipvs-push swarm
#
# Nothing leaves the guest: the node's only address is 192.0.2.10/24 on a dummy link, and no
# registry is reachable (the image is made from busybox-static and imported).
#
# Environment: IPVS_PUSH, absolute path of the ipvs-push binary (optional: without it only
# Docker's state and the ground truth are written).
#
# Files in $LAB_OUT (besides ipvs-lab's scenario.{stdout,stderr,rc}, init.log, console.log):
#   timings.tsv                 phase, start, end, seconds (guest uptime) of every phase
#   docker-info.txt             `docker info` once dockerd answered
#   services.env                <service>_port=, <service>_mark= (shell assignments), web_vip=,
#                               app_network_id=, app_lb_netns=, vip_client_netns=,
#                               vip_client_container=
#   traffic.env                 ingress_requests=, ingress_failed=0|1, vip_requests=,
#                               vip_failed=0|1, vip_method=container-netns
#   netns/namespaces.tsv        NAME PATH KIND SERVICES FWMARKS of every namespace (see
#                               lab_docker_record_netns), host = the guest's own
#   netns/<name>/               ipvsadm.{stats,rate,list,persistent-conn}, mangle, iptables,
#                               ip_vs_conn, addresses of that namespace
#   api/{services,networks,tasks,version,containers}.json   the Engine API's answers (v1.41)
#   docker-service-ls.txt, docker-network-ls.txt            the CLI's listings
#   logs/                       containerd, dockerd, swarm init, image import, service and
#                               network creation, traffic (ingress-clients, vip-clients)
#   wait-ipvs-timeout.txt       only when lab_swarm_wait_ipvs gave up: what it saw last
# With IPVS_PUSH (every namespace that has IPVS services, NAME = its file name):
#   dump.NAME.prom, dump.NAME.om (+ .stderr, .rc)   dump --namespace-path (--format openmetrics)
#   dump.all.{prom,om}          dump with every such --namespace-path at once
#   dump.glob.{prom,om}         dump --namespace-glob '/var/run/docker/netns/*' --docker-host
#                               unix:///var/run/docker.sock (Docker's names)
#   dump.compat.prom            dump --compat ingress-ipvs-exporter (ingress_sbox only, as that
#                               exporter reads by default)
#   namespaces.tsv, mangle.NAME the namespaces compared (host and those with IPVS services, NAME
#                               PATH) and their mangle rules, as the lab tests read them
#   truth.prom/, truth.om/      ipvsadm in host and every NAME around the dumps
#                               (lab_capture_stable, rates frozen)
#   serve.prom, serve-compat.prom (+ .rc)           one scrape of `serve --namespace-path
#                               <ingress_sbox>` plain and with --compat ingress-ipvs-exporter;
#                               logs/serve*.log hold their stderr; serve-glob.prom: one
#                               scrape of `serve --namespace-glob ... --docker-host ...`
set -uo pipefail
. "$LAB_DIR/guest/lib.sh"

IPVS_PUSH=${IPVS_PUSH:-}
DOCKER=$LAB_DOCKER
INGRESS=$LAB_DOCKER_NETNS/ingress_sbox
IMAGE=bb:1
HTTPD=(/bin/httpd -f -p 80 -h /www)
SERVE_PORT=9477
INGRESS_REQUESTS=10   # to service_1 through the routing mesh, as in the exporter's README
VIP_REQUESTS=5
status=0

# --- Phase timing (guest uptime, no process started) -------------------------------------------
lab_timings_start

lab_log "swarm scenario starting (IPVS_PUSH=${IPVS_PUSH:-unset})"

# --- 1. Engine, swarm, image ----------------------------------------------------------------
lab_phase_begin engine
lab_docker_start 180
lab_phase_end

lab_phase_begin swarm-init
lab_swarm_init
lab_phase_end

lab_phase_begin image
lab_busybox_image "$IMAGE"
lab_phase_end

# --- 2. ingress_ipvs_exporter's example: three services published through the routing mesh ----
lab_phase_begin services
declare -A PORT MARK
for name in service_1 service_2 service_3; do
    "$DOCKER" service create --detach --name "$name" --publish 80 --replicas 1 --no-resolve-image \
        "$IMAGE" "${HTTPD[@]}" >"$LAB_OUT/logs/create-$name.log" 2>&1 \
        || lab_die "docker service create $name failed (see logs/create-$name.log)"
done
# The published ports the swarm chose (they are allocated right after the creation).
deadline=$((SECONDS + 60))
while :; do
    lab_docker_api "$LAB_RUN/services.json=/services"
    # (no process substitution: the guest's /dev has no /dev/fd)
    jq -r '.[] | select(.Spec.Name | startswith("service_"))
        | "\(.Spec.Name) \(.Endpoint.Ports[0].PublishedPort // 0)"' "$LAB_RUN/services.json" >"$LAB_RUN/ports.txt"
    while read -r name port; do PORT[$name]=$port; done <"$LAB_RUN/ports.txt"
    [ "${PORT[service_1]:-0}" != 0 ] && [ "${PORT[service_2]:-0}" != 0 ] && [ "${PORT[service_3]:-0}" != 0 ] && break
    [ "$SECONDS" -lt "$deadline" ] || lab_die "published ports not allocated after 60 s: $(cat "$LAB_RUN/services.json")"
    lab_sleep 0.3
done
lab_log "published ports: service_1=${PORT[service_1]} service_2=${PORT[service_2]} service_3=${PORT[service_3]}"
lab_swarm_wait_replicas 300 service_1=1 service_2=1 service_3=1
lab_log "service_1..3 running"
for name in service_1 service_2 service_3; do
    lab_swarm_wait_ipvs "$INGRESS" "--dport ${PORT[$name]} " 1 120
    MARK[$name]=$LAB_SWARM_FWMARK
    # The guest's own DOCKER-INGRESS chain sends the published port to ingress_sbox.
    lab_wait_rule "" nat "--dport ${PORT[$name]} -j DNAT" 60
    lab_log "$name: port ${PORT[$name]}, mark ${MARK[$name]}, 1 real server"
done
lab_phase_end

# --- 3. An overlay network and a VIP service on it ---------------------------------------------
# Both carry a label (service_1..3 have none, as in the exporter's README), so the recorded API
# answers show Spec.Labels and a network's Labels filled in as well as empty.
lab_phase_begin vip
APP_ID=$("$DOCKER" network create -d overlay --label ipvs-lab.network=app app 2>"$LAB_OUT/logs/network-create.log") \
    || lab_die "docker network create app failed (see logs/network-create.log)"
"$DOCKER" service create --detach --name web --network app --replicas 2 --label ipvs-lab.role=vip \
    --no-resolve-image \
    "$IMAGE" "${HTTPD[@]}" >"$LAB_OUT/logs/create-web.log" 2>&1 \
    || lab_die "docker service create web failed (see logs/create-web.log)"
lab_swarm_vip web "$APP_ID"; VIP=$REPLY
lab_log "web: VIP $VIP on app ($APP_ID)"
lab_swarm_wait_replicas 300 web=2
# The network's load-balancing namespace is lb_<a prefix of the network id>.
lab_swarm_lb_netns "$APP_ID"; LB=$REPLY
lab_swarm_wait_ipvs "$LB" "-d $VIP/32 " 2 120
MARK[web]=$LAB_SWARM_FWMARK
lab_log "web: ${LB##*/}, mark ${MARK[web]}, 2 real servers"
lab_phase_end

# --- 4. Ten requests through the routing mesh -------------------------------------------------
# Both bursts of traffic come after everything converged and right before the records, so the
# rate estimates frozen 2 s later are not zero.
lab_phase_begin ingress-traffic
ingress_failed=0
lab_traffic ingress-clients "" "http-get,http://$LAB_DOCKER_ADDR:${PORT[service_1]}/,$INGRESS_REQUESTS"
lab_wait_ready ingress-clients || ingress_failed=1
lab_log "ingress traffic done (failed=$ingress_failed)"
lab_phase_end

# --- 5. Requests to the VIP ---------------------------------------------------------------------
# From the network namespace of one of web's own containers (its sandbox under
# /var/run/docker/netns): the client is the guest's python, its packets leave the container's
# eth0 on the overlay network as any container's would, reach the VIP on lb_<net>'s eth0, are
# marked in its mangle INPUT chain and forwarded by IPVS (masquerading, SNAT to lb_'s own
# address) to one of the two tasks, possibly the client's own container. Requests made inside
# lb_ itself do not work: IPVS schedules them (counted) but the connections are reset.
lab_phase_begin vip-traffic
vip_failed=0
lab_docker_api "$LAB_RUN/containers.json=/containers/json"
CONTAINER=$(jq -r '[.[] | select(.Labels["com.docker.swarm.service.name"] == "web")][0].Id' "$LAB_RUN/containers.json")
lab_docker_api "$LAB_RUN/container.json=/containers/$CONTAINER/json"
SANDBOX_KEY=$(jq -r '.NetworkSettings.SandboxKey' "$LAB_RUN/container.json")
[ -e "$SANDBOX_KEY" ] || lab_die "web's container $CONTAINER has no sandbox ($SANDBOX_KEY)"
lab_log "client namespace: $SANDBOX_KEY (container ${CONTAINER:0:12})"
lab_traffic vip-clients "$SANDBOX_KEY" "http-get,http://$VIP/,$VIP_REQUESTS"
lab_wait_ready vip-clients || vip_failed=1
lab_log "VIP traffic done (failed=$vip_failed)"
lab_phase_end

{
    for name in service_1 service_2 service_3 web; do
        printf '%s_port=%s\n%s_mark=%s\n' "$name" "${PORT[$name]:-}" "$name" "${MARK[$name]}"
    done
    printf 'web_vip=%s\napp_network_id=%s\napp_lb_netns=%s\nvip_client_netns=%s\nvip_client_container=%s\n' \
        "$VIP" "$APP_ID" "$LB" "$SANDBOX_KEY" "$CONTAINER"
} >"$LAB_OUT/services.env"
printf 'ingress_requests=%s\ningress_failed=%s\nvip_requests=%s\nvip_failed=%s\nvip_method=container-netns\n' \
    "$INGRESS_REQUESTS" "$ingress_failed" "$VIP_REQUESTS" "$vip_failed" >"$LAB_OUT/traffic.env"

# --- 6. Records, traffic stopped -------------------------------------------------------------------
lab_phase_begin record
# Keep the rates of a tick after the traffic for the rest of the boot (see lab_freeze_rates).
lab_freeze_rates "$INGRESS" "$LB"
lab_docker_record_netns netns
mkdir -p "$LAB_OUT/api"
lab_docker_api "$LAB_OUT/api/services.json=/services" "$LAB_OUT/api/networks.json=/networks" \
    "$LAB_OUT/api/tasks.json=/tasks" "$LAB_OUT/api/version.json=/version" \
    "$LAB_OUT/api/containers.json=/containers/json" || lab_die "reading the Engine API failed"
"$DOCKER" service ls >"$LAB_OUT/docker-service-ls.txt" 2>&1
"$DOCKER" network ls --no-trunc >"$LAB_OUT/docker-network-ls.txt" 2>&1
lab_phase_end

# --- 7. The product ---------------------------------------------------------------------------------
IPVS_NS=("${LAB_DOCKER_IPVS_NS[@]}")
lab_log "namespaces with IPVS services: ${IPVS_NS[*]}"

# read_dumps FORMAT EXT: one dump per namespace with IPVS services (dump.NAME.EXT), one of all of
# them together (dump.all.EXT) and one of --namespace-glob '/var/run/docker/netns/*'
# (dump.glob.EXT); each also reads the guest's own namespace, which has no services.
read_dumps() {
    local format=$1 ext=$2 pair name
    local -a all=()
    for pair in "${IPVS_NS[@]}"; do
        name=${pair%%=*}
        all+=(--namespace-path "${pair#*=}")
        dump_to "dump.$name.$ext" --namespace-path "${pair#*=}" ${format:+--format "$format"}
    done
    dump_to "dump.all.$ext" "${all[@]}" ${format:+--format "$format"}
    dump_to "dump.glob.$ext" --namespace-glob "$LAB_DOCKER_NETNS/*" --docker-host "unix://$LAB_DOCKER_SOCK" \
        ${format:+--format "$format"}
}
dump_to() {
    local file=$1; shift
    "$IPVS_PUSH" dump "$@" >"$LAB_OUT/$file" 2>"$LAB_OUT/$file.stderr"
    echo $? >"$LAB_OUT/$file.rc"
}
read_prom() { read_dumps "" prom; }
read_om() { read_dumps openmetrics om; }

# serve_scrape NAME ARGS...: starts `serve` with ARGS, scrapes /metrics once into NAME.prom.
serve_scrape() {
    local name=$1 pid probe deadline=$((SECONDS + 60)); shift
    "$IPVS_PUSH" serve --listen-address "127.0.0.1:$SERVE_PORT" "$@" >"$LAB_OUT/logs/$name.log" 2>&1 &
    pid=$!
    until { exec {probe}<>"/dev/tcp/127.0.0.1/$SERVE_PORT"; } 2>/dev/null; do
        kill -0 "$pid" 2>/dev/null || { lab_log "$name: serve exited (see logs/$name.log)"; echo exited >"$LAB_OUT/$name.rc"; status=1; return; }
        [ "$SECONDS" -lt "$deadline" ] || { lab_log "$name: serve did not listen within 60 s"; kill "$pid"; status=1; return; }
        lab_sleep 0.1
    done
    exec {probe}>&-
    curl -sS --max-time 30 -o "$LAB_OUT/$name.prom" "http://127.0.0.1:$SERVE_PORT/metrics" 2>>"$LAB_OUT/logs/$name.log"
    echo $? >"$LAB_OUT/$name.rc"
    kill "$pid"
    wait "$pid"
    lab_log "$name: scraped (curl exit $(<"$LAB_OUT/$name.rc"))"
}

# What the lab tests' NamespaceTruth reads: the namespaces compared (the guest's own and those
# with IPVS services) and each one's mangle rules.
printf 'host\t\n' >"$LAB_OUT/namespaces.tsv"
cp "$LAB_OUT/netns/host/mangle" "$LAB_OUT/mangle.host"
for pair in "${IPVS_NS[@]}"; do
    printf '%s\t%s\n' "${pair%%=*}" "${pair#*=}" >>"$LAB_OUT/namespaces.tsv"
    cp "$LAB_OUT/netns/${pair%%=*}/mangle" "$LAB_OUT/mangle.${pair%%=*}"
done

if [ -n "$IPVS_PUSH" ]; then
    lab_phase_begin ipvs-push
    lab_capture_stable truth.prom 5 read_prom host= "${IPVS_NS[@]}"
    lab_capture_stable truth.om 5 read_om host= "${IPVS_NS[@]}"
    dump_to dump.compat.prom --compat ingress-ipvs-exporter
    serve_scrape serve --namespace-path "$INGRESS"
    serve_scrape serve-compat --namespace-path "$INGRESS" --compat ingress-ipvs-exporter
    serve_scrape serve-glob --namespace-glob "$LAB_DOCKER_NETNS/*" --docker-host "unix://$LAB_DOCKER_SOCK"
    lab_phase_end
else
    lab_log "IPVS_PUSH not set: no product readings"
fi

lab_stop_background
[ "$ingress_failed" = 0 ] || { lab_log "FAILED: requests through the routing mesh (logs/ingress-clients.log)"; status=1; }
[ "$vip_failed" = 0 ] || { lab_log "FAILED: requests to the VIP (logs/vip-clients.log)"; status=1; }
lab_log "swarm scenario done (status $status)"
exit "$status"
