#!/bin/bash
# The demo: a small Docker-Swarm-like node (an ingress namespace with firewall-mark services for
# two published ports, MARK rules in its mangle table, real servers answering HTTP), some
# requests through it, then the kernel's view (ipvsadm) and ipvs-push's reading, one after the
# other, on stdout.
#
#   Lab/ipvs-lab --env IPVS_PUSH=$PWD/.build/debug/ipvs-push demo
set -uo pipefail
. "$LAB_DIR/guest/lib.sh"

IPVS_PUSH=${IPVS_PUSH:-}
INGRESS=/var/run/docker/netns/ingress_sbox
must() { "$@" || lab_die "failed: $*"; }
in_ingress() { nsenter --net="$INGRESS" -- "$@"; }

lab_load_base
lab_docker_netns ingress_sbox
lab_load_ipvs

# The node (10.255.0.1) reaches the ingress namespace (10.255.0.2) over a veth pair; the
# "tasks" of two services are local addresses in the ingress namespace.
printf '%s\n' "link add vh0 type veth peer name eth0 netns ingress_sbox" \
    "address add 10.255.0.1/24 dev vh0" "link set vh0 up" >"$LAB_RUN/ip.batch"
must ip -batch "$LAB_RUN/ip.batch"
printf '%s\n' "link set lo up" "address add 10.255.0.2/24 dev eth0" "link set eth0 up" \
    "address add 10.0.1.5/32 dev lo" "address add 10.0.1.6/32 dev lo" "address add 10.0.1.9/32 dev lo" \
    >"$LAB_RUN/ip-ingress.batch"
must in_ingress ip -batch "$LAB_RUN/ip-ingress.batch"
lab_serve tasks "$INGRESS" http,10.0.1.5,80 http,10.0.1.6,80 http,10.0.1.9,80

must in_ingress iptables-legacy-restore --noflush <<'MANGLE'
*mangle
-A PREROUTING -p tcp -m tcp --dport 8080 -j MARK --set-xmark 0x100/0xffffffff
-A PREROUTING -p tcp -m tcp --dport 9090 -j MARK --set-xmark 0x101/0xffffffff
COMMIT
MANGLE
must in_ingress ipvsadm -R <<'RULES'
-A -f 256 -s rr
-a -f 256 -r 10.0.1.5:80 -m -w 1
-a -f 256 -r 10.0.1.6:80 -m -w 1
-A -f 257 -s rr
-a -f 257 -r 10.0.1.9:80 -m -w 1
RULES
must lab_wait_ready tasks

lab_traffic clients "" http-get,http://10.255.0.2:8080/,20 http-get,http://10.255.0.2:9090/,10
lab_wait_ready clients || lab_log "some requests failed (see logs/clients.log)"
lab_freeze_rates "" "$INGRESS"

echo "=== iptables-legacy-save -t mangle (in $INGRESS) ==="
in_ingress iptables-legacy-save -t mangle | grep -v '^#'
echo
echo "=== ipvsadm -Ln --stats --exact (in $INGRESS) ==="
in_ingress ipvsadm -Ln --stats --exact
echo
echo "=== ipvsadm -Ln --rate --exact (in $INGRESS) ==="
in_ingress ipvsadm -Ln --rate --exact
echo
if [ -n "$IPVS_PUSH" ]; then
    echo "=== ipvs-push dump --namespace-path $INGRESS ==="
    "$IPVS_PUSH" dump --namespace-path "$INGRESS"
    echo "(exit status $?)"
else
    echo "=== ipvs-push: IPVS_PUSH is not set (Lab/ipvs-lab --env IPVS_PUSH=/path/to/ipvs-push demo) ==="
fi
lab_stop_background
