#!/bin/bash
# deploy/systemd/ipvs-push.service under a real systemd: the guest runs systemd as PID 1 of a
# container (new PID and mount namespaces, `container=ipvs-lab`), with the unit installed as
# deploy/README.md says (/etc/systemd/system, the binary in /usr/local/bin, the config in
# /etc/ipvs-push), every sandbox option as shipped. Only its ordering is cut short by a drop-in
# (DefaultDependencies=no, so that the host's boot units are not started) and its output goes
# to a file. A check unit scrapes /metrics, reads the service's threads, reloads it, stops it
# and ends the container.
#
#   Lab/ipvs-lab --out DIR --env IPVS_PUSH=$PWD/.build/debug/ipvs-push --env IPVS_PUSH_UNIT=$PWD/deploy/systemd/ipvs-push.service systemd-unit
#
# Writes in $LAB_OUT: systemd.log (the container's console), unit.log (the service's output),
# unit.first.prom, unit.second.prom (/metrics before and after `systemctl reload`),
# unit.threads (every thread's status lines), unit.show (systemctl show after the first scrape),
# unit.stopped (systemctl show after `systemctl stop`), unit.queue (ls -ln of the state
# directory), check.log, systemd.rc.
set -uo pipefail
. "$LAB_DIR/guest/lib.sh"

IPVS_PUSH=${IPVS_PUSH:?IPVS_PUSH must name the ipvs-push binary}
IPVS_PUSH_UNIT=${IPVS_PUSH_UNIT:-$LAB_DIR/../deploy/systemd/ipvs-push.service}
INGRESS_NAME=ingress_sbox
INGRESS=/var/run/docker/netns/$INGRESS_NAME
PORT=9179
must() { "$@" || lab_die "failed: $*"; }
in_ingress() { nsenter --net="$INGRESS" -- "$@"; }

[ -r "$IPVS_PUSH_UNIT" ] || lab_die "no unit file at $IPVS_PUSH_UNIT"
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

# The container's root: the guest's, with writable overlays on /etc, /var/lib and /usr/local.
STAGE=$LAB_RUN/systemd-stage
mkdir -p "$STAGE"
cat >"$STAGE/enter.sh" <<'ENTER'
#!/bin/bash
# PID 1 of the new PID namespace, in its own mount namespace: writable layers, then systemd.
set -u
for dir in /etc /var/lib /usr/local; do
    name=${dir//\//_}
    mkdir -p "$STAGE/$name/upper" "$STAGE/$name/work"
    mount -t overlay overlay "$dir" -o "lowerdir=$dir,upperdir=$STAGE/$name/upper,workdir=$STAGE/$name/work" || exit 90
done
mount -t proc proc /proc || exit 91
install -m 0755 "$IPVS_PUSH" /usr/local/bin/ipvs-push || exit 92
install -m 0644 "$IPVS_PUSH_UNIT" /etc/systemd/system/ipvs-push.service || exit 93
mkdir -p /etc/systemd/system/ipvs-push.service.d /etc/ipvs-push
cat >/etc/systemd/system/ipvs-push.service.d/lab.conf <<EOF
[Unit]
DefaultDependencies=no
[Service]
StandardOutput=append:$LAB_OUT/unit.log
StandardError=inherit
EOF
cat >/etc/ipvs-push/ipvs-push.yml <<EOF
global:
  interval: 1s
  shutdown_grace: 2s
  queue_directory: /var/lib/ipvs-push
  log_level: debug
collection:
  namespace_paths:
    - $INGRESS
remote_write:
  - url: http://127.0.0.1:9/api/v1/write
serve:
  listen_address: "127.0.0.1:$PORT"
EOF
cat >/etc/systemd/system/ipvs-push-lab-check.service <<EOF
[Unit]
DefaultDependencies=no
After=ipvs-push.service
[Service]
Type=oneshot
ExecStart=/bin/bash $STAGE/check.sh
StandardOutput=append:$LAB_OUT/check.log
StandardError=inherit
EOF
cat >/etc/systemd/system/ipvs-push-lab.target <<EOF
[Unit]
Wants=ipvs-push.service ipvs-push-lab-check.service
EOF
export container=ipvs-lab
exec /lib/systemd/systemd --unit=ipvs-push-lab.target --log-target=console
ENTER

cat >"$STAGE/check.sh" <<CHECK
#!/bin/bash
set -u
out=$LAB_OUT
scrape() { curl -sS --max-time 30 -o "\$1" "http://127.0.0.1:$PORT/metrics" || echo "scrape into \$1 failed"; }
for _ in \$(seq 1 300); do
    { exec {probe}<>/dev/tcp/127.0.0.1/$PORT; } 2>/dev/null && break
    sleep 0.2
done
exec {probe}>&- 2>/dev/null
sleep 3
scrape "\$out/unit.first.prom"
pid=\$(systemctl show -p MainPID --value ipvs-push)
: >"\$out/unit.threads"
for task in /proc/"\$pid"/task/*; do
    grep -E '^(Name|Pid|Uid|CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):' "\$task/status" >>"\$out/unit.threads"
    echo >>"\$out/unit.threads"
done
systemctl show ipvs-push -p ActiveState -p SubState -p NRestarts -p MainPID -p UID -p GID -p ExecMainStatus >"\$out/unit.show"
systemctl reload ipvs-push
sleep 3
scrape "\$out/unit.second.prom"
ls -lnR /var/lib/private/ipvs-push >"\$out/unit.queue" 2>&1
systemctl stop ipvs-push
systemctl show ipvs-push -p ActiveState -p Result -p ExecMainStatus -p ExecMainCode >"\$out/unit.stopped"
systemctl exit 0
CHECK

export STAGE IPVS_PUSH IPVS_PUSH_UNIT LAB_OUT INGRESS PORT
timeout 300 unshare --pid --fork --mount --propagation private bash "$STAGE/enter.sh" >"$LAB_OUT/systemd.log" 2>&1
echo $? >"$LAB_OUT/systemd.rc"
lab_log "systemd exited with $(cat "$LAB_OUT/systemd.rc")"
