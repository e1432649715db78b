#!/bin/bash
# The swarm-deploy scenario: ipvs-push deployed the way a Swarm operator deploys it. In a real
# one-node Docker Swarm (Debian's docker.io, Engine 20.10) in the guest:
#   1. imports the host-made Debian 12 root file system (Lab/host/base-image.sh, with the
#      runtime packages installed) as debian:bookworm-slim, and busybox-static as bb:1;
#   2. builds the image with the real Engine from deploy/docker/Dockerfile, `--target
#      runtime-prebuilt`, legacy builder (DOCKER_BUILDKIT=0), from a context holding only the
#      `make release` binary (IPVS_PUSH_RELEASE);
#   3. runs the README's `docker service create --name ipvs-push --mode global ...` command,
#      taken verbatim from README.md's Docker Swarm section (so the README is what is tested),
#      then service_1 (`--publish 80`, one busybox httpd) and, on an overlay network `app`, a VIP
#      service `web` (two replicas);
#   4. once the firewall-mark services have their real servers: 10 HTTP requests through the
#      routing mesh to service_1's published port and 5 to web's VIP from one of web's
#      containers; stops the rate estimators (their tick also refreshes the counters in 6.1);
#   5. waits until the service's /metrics (host network, 127.0.0.1:9100) names both fwmark
#      services, then scrapes it inside lab_capture_stable (ipvsadm in ingress_sbox and lb_*
#      before and after the scrape, until equal); records the task, its logs, the container, the
#      process's capabilities and uid, the binary it runs and Docker's namespaces.
#
#   Lab/host/base-image.sh      # on the host, as root: prints the tarball (cached)
#   make release
#   Lab/ipvs-lab --mem 2G --timeout 900 --out DIR --env IPVS_LAB_BASE_IMAGE=<tarball> \
#       --env IPVS_PUSH_RELEASE=$PWD/.build/static/release/ipvs-push swarm-deploy
#
# Environment: IPVS_LAB_BASE_IMAGE (the tarball), IPVS_PUSH_RELEASE (the `make release` binary).
# IPVS_PUSH (the debug binary the Swift tests pass to every scenario) is not used.
#
# Files in $LAB_OUT (besides ipvs-lab's scenario.{stdout,stderr,rc}, init.log, console.log):
#   timings.tsv                 phase, start, end, seconds (guest uptime)
#   docker-info.txt             `docker info`
#   image/build.cmd, build.log, build.rc   the docker build command line, its output and status
#   image/inspect.json          `docker image inspect ipvs-push`
#   image/history.txt           `docker history --no-trunc ipvs-push`
#   image/release.sha256        sha256 of IPVS_PUSH_RELEASE
#   image/layer.getcap          getcap of the binary in the image's top layer (the RUN setcap)
#   service/command.sh          the README's command, as run (docker = Debian's CLI)
#   service/create.log, create.rc          its output and status
#   service/inspect.json        `docker service inspect ipvs-push`
#   service/ps.txt              `docker service ps --no-trunc ipvs-push` (tab-separated: id, node,
#                               desired state, current state, error)
#   service/logs.txt            `docker service logs --raw ipvs-push`
#   service/container.json      `docker inspect` of its container
#   service/process.env         pid=, exe_sha256=, uid= (real effective saved fs), gid=, groups=,
#                               threads=
#   service/status, service/task-status/<tid>   /proc/<pid>/status and every thread's
#   service/exe.getcap          getcap of the running binary (/proc/<pid>/root/usr/local/bin/ipvs-push)
#   services.env                service_1_port=, service_1_mark=, web_mark=, web_vip=,
#                               app_network_id=, ingress_netns=, app_lb_netns=, docker_sock_gid=
#   traffic.env                 ingress_requests=, ingress_failed=0|1, vip_requests=, vip_failed=0|1
#   metrics.prom, metrics.rc    the scrape of /metrics inside the capture (curl's status)
#   metrics-names.prom          the scrape that first named both fwmark services
#   truth/                      ipvsadm.<ns>.{stats,rate,persistent-conn}(.before),
#                               ipvsadm.<ns>.{list,exact,thresholds,conn}, capture.env, capture.log
#                               (lab_capture_stable) for <ns> = ingress_sbox and lb_<net>;
#                               namespaces.tsv: NAME PATH
#   netns/                      every namespace (lab_docker_record_netns)
#   api/{services,networks,tasks}.json   the Engine API's answers
#   logs/                       containerd, dockerd, image imports, creations, traffic clients
set -uo pipefail
. "$LAB_DIR/guest/lib.sh"

REPO=$(cd "$LAB_DIR/.." && pwd)
BASE_IMAGE=${IPVS_LAB_BASE_IMAGE:-}
RELEASE=${IPVS_PUSH_RELEASE:-}
DOCKER=$LAB_DOCKER
INGRESS=$LAB_DOCKER_NETNS/ingress_sbox
IMAGE=bb:1
HTTPD=(/bin/httpd -f -p 80 -h /www)
METRICS=http://127.0.0.1:9100/metrics
INGRESS_REQUESTS=10
VIP_REQUESTS=5
status=0

[ -n "$BASE_IMAGE" ] && [ -s "$BASE_IMAGE" ] \
    || lab_die "IPVS_LAB_BASE_IMAGE='$BASE_IMAGE' is not a tarball: make it on the host with Lab/host/base-image.sh (as root)"
[ -n "$RELEASE" ] && [ -x "$RELEASE" ] \
    || lab_die "IPVS_PUSH_RELEASE='$RELEASE' is not an executable: build it with make release (.build/static/release/ipvs-push)"

lab_timings_start
mkdir -p "$LAB_OUT/image" "$LAB_OUT/service" "$LAB_OUT/api"

lab_log "swarm-deploy scenario starting (base image $BASE_IMAGE, binary $RELEASE)"

# --- 1. Engine, swarm, images -------------------------------------------------------------------
lab_phase_begin engine
# As on a systemd host, /run is a shared mount: the README's bind-propagation=rslave needs it
# (Docker refuses a slave mount of a private one) and then passes the namespaces Docker mounts
# later into the task.
mount --make-rshared /run || lab_die "mount --make-rshared /run failed"
lab_docker_start 180
lab_phase_end

lab_phase_begin swarm-init
lab_swarm_init
lab_phase_end

lab_phase_begin images
# The two imports at once (the base image's tarball is read from the host through hostfs).
"$DOCKER" import "$BASE_IMAGE" debian:bookworm-slim >"$LAB_OUT/logs/base-import.log" 2>&1 &
base_pid=$!
lab_busybox_image "$IMAGE"
wait "$base_pid" || lab_die "docker import of $BASE_IMAGE failed (see logs/base-import.log)"
lab_log "debian:bookworm-slim imported from $BASE_IMAGE"
lab_phase_end

# --- 2. The image, from the prebuilt binary ---------------------------------------------------------
# A context with the binary alone (the Dockerfile sets its file capabilities: COPY drops them).
# --network host: RUN needs no network, and a host-network container skips the libnetwork-setkey
# hook that costs tens of seconds per container here.
lab_phase_begin build
CONTEXT=$LAB_RUN/image-context
mkdir -p "$CONTEXT"
cp "$RELEASE" "$CONTEXT/ipvs-push" || lab_die "cannot copy $RELEASE"
sha256sum <"$RELEASE" >"$LAB_OUT/image/release.sha256"
BUILD=(build --network host -f "$REPO/deploy/docker/Dockerfile" --target runtime-prebuilt
    --build-arg IPVS_PUSH_BINARY=ipvs-push -t ipvs-push "$CONTEXT")
echo "DOCKER_BUILDKIT=0 docker ${BUILD[*]}" >"$LAB_OUT/image/build.cmd"
DOCKER_BUILDKIT=0 "$DOCKER" "${BUILD[@]}" >"$LAB_OUT/image/build.log" 2>&1
echo $? >"$LAB_OUT/image/build.rc"
[ "$(<"$LAB_OUT/image/build.rc")" = 0 ] || lab_die "docker build failed (see image/build.log)"
"$DOCKER" image inspect ipvs-push >"$LAB_OUT/image/inspect.json" 2>&1
"$DOCKER" history --no-trunc ipvs-push >"$LAB_OUT/image/history.txt" 2>&1
# The binary in the image's top layer (overlay2 keeps it under the layer's diff directory).
LAYER=$(jq -r '.[0].GraphDriver.Data.UpperDir' "$LAB_OUT/image/inspect.json")
getcap "$LAYER/usr/local/bin/ipvs-push" >"$LAB_OUT/image/layer.getcap" 2>&1
lab_log "the image's binary: $(<"$LAB_OUT/image/layer.getcap")"
lab_log "image ipvs-push built"
lab_phase_end

# --- 3. The README's global service, then the services it reads -------------------------------------
# The command is the README's code block, verbatim; only `docker` is Debian's CLI. It runs in the
# background (without --detach it waits for the service to converge) while the other services are
# created.
lab_phase_begin services
awk '/^docker service create --name ipvs-push --mode global/ { on = 1 }
     on { print } on && !/\\$/ { exit }' "$REPO/README.md" >"$LAB_OUT/service/command.sh"
[ -s "$LAB_OUT/service/command.sh" ] || lab_die "README.md has no 'docker service create --name ipvs-push --mode global' block"
(
    docker() { "$DOCKER" "$@"; }
    # shellcheck disable=SC1091
    . "$LAB_OUT/service/command.sh"
) >"$LAB_OUT/service/create.log" 2>&1 </dev/null &
create_pid=$!
APP_ID=$("$DOCKER" network create -d overlay app 2>"$LAB_OUT/logs/network-create.log") \
    || lab_die "docker network create app failed (see logs/network-create.log)"
"$DOCKER" service create --detach --name service_1 --publish 80 --replicas 1 --no-resolve-image \
    "$IMAGE" "${HTTPD[@]}" >"$LAB_OUT/logs/create-service_1.log" 2>&1 \
    || lab_die "docker service create service_1 failed (see logs/create-service_1.log)"
"$DOCKER" service create --detach --name web --network app --replicas 2 --no-resolve-image \
    "$IMAGE" "${HTTPD[@]}" >"$LAB_OUT/logs/create-web.log" 2>&1 \
    || lab_die "docker service create web failed (see logs/create-web.log)"
deadline=$((SECONDS + 60))
PORT= VIP=
while :; do
    lab_docker_api "$LAB_RUN/services.json=/services"
    PORT=$(jq -r '.[] | select(.Spec.Name == "service_1") | .Endpoint.Ports[0].PublishedPort // empty' "$LAB_RUN/services.json")
    VIP=$(jq -r --arg net "$APP_ID" '.[] | select(.Spec.Name == "web") | .Endpoint.VirtualIPs[]?
        | select(.NetworkID == $net) | .Addr' "$LAB_RUN/services.json")
    VIP=${VIP%/*}
    [ -n "$PORT" ] && [ -n "$VIP" ] && break
    [ "$SECONDS" -lt "$deadline" ] || lab_die "no published port for service_1 or no VIP for web after 60 s"
    lab_sleep 0.3
done
lab_log "service_1: port $PORT; web: VIP $VIP on app ($APP_ID)"
lab_swarm_wait_replicas 300 ipvs-push=1 service_1=1 web=2
lab_log "ipvs-push, service_1 and web running"
wait "$create_pid"
echo $? >"$LAB_OUT/service/create.rc"
lab_swarm_wait_ipvs "$INGRESS" "--dport $PORT " 1 120
MARK1=$LAB_SWARM_FWMARK
lab_wait_rule "" nat "--dport $PORT -j DNAT" 60
lab_swarm_lb_netns "$APP_ID"; LB=$REPLY
lab_swarm_wait_ipvs "$LB" "-d $VIP/32 " 2 120
MARKW=$LAB_SWARM_FWMARK
lab_log "service_1: mark $MARK1 in ingress_sbox; web: mark $MARKW in ${LB##*/}"
lab_phase_end

# --- 4. Traffic, then the estimators stopped ---------------------------------------------------------
lab_phase_begin traffic
ingress_failed=0 vip_failed=0
lab_traffic ingress-clients "" "http-get,http://$LAB_DOCKER_ADDR:$PORT/,$INGRESS_REQUESTS"
lab_docker_api "$LAB_RUN/containers.json=/containers/json"
CONTAINER=$(jq -r '[.[] | select(.Labels["com.docker.swarm.service.name"] == "web")][0].Id' "$LAB_RUN/containers.json")
lab_docker_api "$LAB_RUN/container.json=/containers/$CONTAINER/json"
SANDBOX_KEY=$(jq -r '.NetworkSettings.SandboxKey' "$LAB_RUN/container.json")
[ -e "$SANDBOX_KEY" ] || lab_die "web's container $CONTAINER has no sandbox ($SANDBOX_KEY)"
lab_traffic vip-clients "$SANDBOX_KEY" "http-get,http://$VIP/,$VIP_REQUESTS"
lab_wait_ready ingress-clients || ingress_failed=1
lab_wait_ready vip-clients || vip_failed=1
lab_log "traffic done (ingress failed=$ingress_failed, VIP failed=$vip_failed)"
# A tick after the traffic (counters and rates refreshed), then no more ticks.
lab_freeze_rates "$INGRESS" "$LB"
lab_phase_end

SOCK_GID=$(stat -c %g "$LAB_DOCKER_SOCK")
{
    printf 'service_1_port=%s\nservice_1_mark=%s\nweb_mark=%s\nweb_vip=%s\n' "$PORT" "$MARK1" "$MARKW" "$VIP"
    printf 'app_network_id=%s\ningress_netns=%s\napp_lb_netns=%s\ndocker_sock_gid=%s\n' "$APP_ID" "$INGRESS" "$LB" "$SOCK_GID"
} >"$LAB_OUT/services.env"
printf 'ingress_requests=%s\ningress_failed=%s\nvip_requests=%s\nvip_failed=%s\n' \
    "$INGRESS_REQUESTS" "$ingress_failed" "$VIP_REQUESTS" "$vip_failed" >"$LAB_OUT/traffic.env"

# --- 5. The service's /metrics against ipvsadm -----------------------------------------------------
lab_phase_begin scrape
# /metrics answers, and names both firewall-mark services (Docker's answer is read in the
# background: a mark without a name is looked up again within 5 s).
named() {
    local line want1=0 wantw=0
    while IFS= read -r line; do
        case "$line" in
            ipvs_service_name_info\{*)
                [[ "$line" == *"fwmark=\"$MARK1\""* && "$line" == *"name=\"service_1\""* ]] && want1=1
                [[ "$line" == *"fwmark=\"$MARKW\""* && "$line" == *"name=\"web\""* ]] && wantw=1 ;;
        esac
    done <"$1"
    [ "$want1" = 1 ] && [ "$wantw" = 1 ]
}
deadline=$((SECONDS + 90))
until curl -sS --max-time 10 -o "$LAB_RUN/names.prom" "$METRICS" 2>"$LAB_RUN/names.err" && named "$LAB_RUN/names.prom"; do
    [ "$SECONDS" -lt "$deadline" ] || {
        # Recorded all the same (below), to see why.
        lab_log "FAILED: the service's $METRICS did not name marks $MARK1 (service_1) and $MARKW (web) within 90 s: $(cat "$LAB_RUN/names.err")"
        status=1
        break
    }
    lab_sleep 1
done
cp "$LAB_RUN/names.prom" "$LAB_OUT/metrics-names.prom" 2>/dev/null
[ "$status" = 0 ] && lab_log "/metrics names service_1 and web"
scrape() {
    curl -sS --max-time 30 -o "$LAB_OUT/metrics.prom" "$METRICS" 2>"$LAB_OUT/metrics.stderr"
    echo $? >"$LAB_OUT/metrics.rc"
}
lab_capture_stable truth 5 scrape "ingress_sbox=$INGRESS" "${LB##*/}=$LB"
printf 'ingress_sbox\t%s\n%s\t%s\n' "$INGRESS" "${LB##*/}" "$LB" >"$LAB_OUT/truth/namespaces.tsv"
[ "$(<"$LAB_OUT/metrics.rc")" = 0 ] || { lab_log "FAILED: scraping $METRICS (metrics.stderr)"; status=1; }
lab_phase_end

# --- 6. The service, its process, Docker's state -------------------------------------------------------
lab_phase_begin record
out=$LAB_OUT/service
"$DOCKER" service inspect ipvs-push >"$out/inspect.json" 2>&1
"$DOCKER" service ps --no-trunc --format '{{.ID}}\t{{.Node}}\t{{.DesiredState}}\t{{.CurrentState}}\t{{.Error}}' \
    ipvs-push >"$out/ps.txt" 2>&1
"$DOCKER" service logs --raw ipvs-push >"$out/logs.txt" 2>&1
TASK_CONTAINER=$("$DOCKER" ps -q --no-trunc --filter label=com.docker.swarm.service.name=ipvs-push)
"$DOCKER" inspect "$TASK_CONTAINER" >"$out/container.json" 2>&1
PID=$(jq -r '.[0].State.Pid' "$out/container.json")
if [ -n "$PID" ] && [ -d "/proc/$PID" ]; then
    cp "/proc/$PID/status" "$out/status"
    mkdir -p "$out/task-status"
    for task in /proc/"$PID"/task/*; do cp "$task/status" "$out/task-status/${task##*/}"; done
    getcap "/proc/$PID/root/usr/local/bin/ipvs-push" >"$out/exe.getcap" 2>&1
    {
        echo "pid=$PID"
        echo "exe_sha256=$(sha256sum <"/proc/$PID/exe" | cut -d' ' -f1)"
        while read -r key a b c d; do
            case "$key" in
                Uid:) echo "uid=$a $b $c $d" ;;
                Gid:) echo "gid=$a $b $c $d" ;;
                Groups:) echo "groups=$a${b:+ $b}${c:+ $c}${d:+ $d}" ;;
                Threads:) echo "threads=$a" ;;
            esac
        done <"/proc/$PID/status"
    } >"$out/process.env"
else
    lab_log "FAILED: no process for the ipvs-push task (container '$TASK_CONTAINER', pid '$PID')"
    status=1
fi
lab_docker_record_netns netns
lab_docker_api "$LAB_OUT/api/services.json=/services" "$LAB_OUT/api/networks.json=/networks" \
    "$LAB_OUT/api/tasks.json=/tasks" || lab_die "reading the Engine API failed"
lab_phase_end

lab_stop_background
[ "$ingress_failed" = 0 ] || { lab_log "FAILED: requests through the routing mesh (logs/ingress-clients.log)"; status=1; }
[ "$vip_failed" = 0 ] || { lab_log "FAILED: requests to the VIP (logs/vip-clients.log)"; status=1; }
[ "$(<"$LAB_OUT/service/create.rc")" = 0 ] || { lab_log "FAILED: the README's docker service create (service/create.log)"; status=1; }
lab_log "swarm-deploy scenario done (status $status)"
exit "$status"
