# shellcheck shell=bash
# Helpers for ipvs-lab scenarios (sourced inside the guest by bash).
#
# Starting a process costs 0.1-0.5 s in user-mode Linux (more when the host is busy), so these
# helpers avoid it where they can: bash builtins for waiting and timing, one modprobe for many
# modules, one python process per role. Everything logs to stderr with the guest's uptime, so
# scenario.stderr doubles as a timing trace.
#
# Environment from the guest init: LAB_OUT (output dir), LAB_MODULES_ROOT (modprobe -d root).

LAB_GUEST=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_PYTHON=${LAB_PYTHON:-/usr/bin/python3}
: "${LAB_OUT:?LAB_OUT is not set: run scenarios through Lab/ipvs-lab}"
LAB_PIDS=()
LAB_RUN=/run/lab
mkdir -p "$LAB_RUN/ready" "$LAB_OUT/logs"

# Every scheduler module the package ships (ip_vs_twos is not configured in Debian's UML).
LAB_IPVS_SCHEDULERS="rr wrr lc wlc fo ovf lblc lblcr dh sh mh sed nq"

lab_uptime() { local up rest; read -r up rest </proc/uptime; echo "$up"; }
lab_log() { echo "[$(lab_uptime)] $*" >&2; }
lab_die() { lab_log "FATAL: $*"; exit 1; }

# lab_sleep SECONDS: sleeps without starting a process (read -t on a fifo nobody writes).
[ -p "$LAB_RUN/sleep.fifo" ] || mkfifo "$LAB_RUN/sleep.fifo"
exec {LAB_SLEEP_FD}<>"$LAB_RUN/sleep.fifo"
lab_sleep() { read -r -t "$1" -u "$LAB_SLEEP_FD" _; return 0; }

lab_modprobe() {
    modprobe -a -d "$LAB_MODULES_ROOT" "$@" || lab_die "modprobe $* failed"
}

# Everything a scenario needs except IPVS itself, so a scenario can still observe the
# "IPVS not loaded" state: IPv6, SCTP (+hmac for its cookies, or listen() fails with ENOSYS),
# dummy and veth links, and the legacy iptables mangle table with the MARK target.
LAB_BASE_MODULES="ipv6 hmac sctp dummy veth x_tables ip_tables iptable_mangle xt_mark xt_tcpudp \
ip6_tables ip6table_mangle"
lab_load_base() {
    # shellcheck disable=SC2086
    lab_modprobe $LAB_BASE_MODULES
}

# ip_vs with every scheduler and the SIP persistence engine.
lab_load_ipvs() {
    local s modules="ip_vs ip_vs_pe_sip"
    for s in $LAB_IPVS_SCHEDULERS; do modules+=" ip_vs_$s"; done
    # shellcheck disable=SC2086
    lab_modprobe $modules
}

lab_ipvs_loaded() { [ -e /proc/net/ip_vs ]; }

# lab_in_ns NSPATH CMD...: runs CMD in the network namespace NSPATH ("" = the guest's own).
lab_in_ns() {
    local ns=$1; shift
    if [ -z "$ns" ]; then "$@"; else nsenter --net="$ns" -- "$@"; fi
}

# lab_docker_netns NAME: a named namespace bind-mounted where Docker keeps its sandboxes
# (/var/run/docker/netns/NAME).
lab_docker_netns() {
    local name=$1 path=/var/run/docker/netns/$1
    ip netns add "$name" || lab_die "ip netns add $name failed"
    mkdir -p /var/run/docker/netns
    : >"$path"
    mount --bind "/run/netns/$name" "$path" || lab_die "bind mount of $name to $path failed"
}

# lab_background NAME NSPATH CMD...: starts CMD, output to $LAB_OUT/logs/NAME.log.
lab_background() {
    local name=$1 ns=$2; shift 2
    if [ -z "$ns" ]; then
        "$@" >"$LAB_OUT/logs/$name.log" 2>&1 &
    else
        nsenter --net="$ns" -- "$@" >"$LAB_OUT/logs/$name.log" 2>&1 &
    fi
    LAB_PIDS+=($!)
}

# lab_wait_file FILE [SECONDS]: waits until FILE exists.
lab_wait_file() {
    local file=$1 deadline=$((SECONDS + ${2:-30}))
    while [ ! -e "$file" ]; do
        [ "$SECONDS" -lt "$deadline" ] || lab_die "timed out waiting for $file"
        lab_sleep 0.05
    done
}

# lab_serve NAME NSPATH SPEC...: starts one traffic.py server process for every SPEC
# (http,ADDR,PORT | udp,ADDR,PORT | sctp,ADDR,PORT). Returns at once; lab_wait_ready NAME waits.
lab_serve() {
    local name=$1 ns=$2; shift 2
    lab_background "$name" "$ns" "$LAB_PYTHON" "$LAB_GUEST/traffic.py" serve "$LAB_RUN/ready/$name" "$@"
}

# lab_traffic NAME NSPATH ACTION...: starts one traffic.py client process running every ACTION
# (see traffic.py); connections it holds stay open in the background. lab_wait_ready NAME waits.
lab_traffic() {
    local name=$1 ns=$2; shift 2
    lab_background "$name" "$ns" "$LAB_PYTHON" "$LAB_GUEST/traffic.py" run "$LAB_RUN/ready/$name" "$@"
}

# lab_wait_ready NAME...: waits for servers/clients; fails when a client reported failures.
lab_wait_ready() {
    local name status rc=0
    for name in "$@"; do
        lab_wait_file "$LAB_RUN/ready/$name" 60
        read -r status <"$LAB_RUN/ready/$name"
        if [ "$status" != ok ] && [ "$status" != ready ]; then
            lab_log "$name: $status (see logs/$name.log)"
            rc=1
        fi
    done
    return "$rc"
}

# lab_ipvs_dest ARGS... | lab_ipvs_dest --batch <FILE: adds real servers with any forwarding
# method, the local and bypass methods included (see ipvs-dest.py).
lab_ipvs_dest() { "$LAB_PYTHON" "$LAB_GUEST/ipvs-dest.py" "$@"; }

# lab_record NAME CMD...: runs CMD, its stdout, stderr and exit status go to
# $LAB_OUT/NAME.stdout, NAME.stderr and NAME.rc. Returns the exit status.
lab_record() {
    local name=$1 rc; shift
    "$@" >"$LAB_OUT/$name.stdout" 2>"$LAB_OUT/$name.stderr" </dev/null
    rc=$?
    echo "$rc" >"$LAB_OUT/$name.rc"
    return "$rc"
}

# lab_ns_shell NSPATH: starts a bash inside NSPATH that runs the command lines lab_nsh sends,
# so a command in that namespace costs one process start instead of two (nsenter + command).
declare -A LAB_NS_IN LAB_NS_OUT
lab_ns_shell() {
    local ns=$1 dir in out
    [ -n "$ns" ] && [ -z "${LAB_NS_IN[$ns]:-}" ] || return 0
    dir=$(mktemp -d "$LAB_RUN/nsh.XXXXXX")
    mkfifo "$dir/in" "$dir/out"
    nsenter --net="$ns" -- bash <"$dir/in" >"$dir/out" 2>&1 &
    LAB_PIDS+=($!)
    exec {in}>"$dir/in" {out}<"$dir/out"
    LAB_NS_IN[$ns]=$in LAB_NS_OUT[$ns]=$out
}

# lab_nsh NSPATH COMMAND_LINE: runs COMMAND_LINE (a shell string; redirect its output) in NSPATH
# ("" = the guest's own namespace) and waits for it.
lab_nsh() {
    local ns=$1 command=$2 line
    if [ -z "$ns" ]; then eval "$command"; return; fi
    lab_ns_shell "$ns"
    printf '%s\necho "__lab_done__ $?"\n' "$command" >&"${LAB_NS_IN[$ns]}"
    while read -r line <&"${LAB_NS_OUT[$ns]}"; do
        case "$line" in "__lab_done__ "*) return "${line#__lab_done__ }" ;; esac
    done
    lab_die "the shell in $ns ended"
}

# lab_freeze_rates NSPATH...: stops the kernel's rate estimator (net.ipv4.vs.run_estimation=0,
# Linux >= 5.18) in every namespace given ("" = the guest's own) once it has run at least once
# since the caller's traffic (it runs every 2 s). The rates keep their last values, so a reading
# and ipvsadm's agree however long either takes (starting a process in the guest takes up to a
# second on a busy host: without this, rates would move between the two).
lab_freeze_rates() {
    local ns
    lab_sleep 2.2
    for ns in "$@"; do
        lab_nsh "$ns" "echo 0 >/proc/sys/net/ipv4/vs/run_estimation" || lab_die "cannot stop the estimator in '$ns'"
    done
}

# lab_ipvsadm NSPATH MODE FILE: ipvsadm's listing in one mode, written to FILE.
lab_ipvsadm() {
    local ns=$1 mode=$2 file=$3 args
    case "$mode" in
        list) args="-Ln" ;;
        exact) args="-Ln --exact" ;;
        stats) args="-Ln --stats --exact" ;;
        rate) args="-Ln --rate --exact" ;;
        thresholds) args="-Ln --thresholds" ;;
        persistent-conn) args="-Ln --persistent-conn" ;;
        conn) args="-Lnc" ;;
        timeout) args="-L --timeout" ;;
        daemon) args="-L --daemon" ;;
        *) lab_die "unknown ipvsadm mode $mode" ;;
    esac
    lab_nsh "$ns" "ipvsadm $args >$(printf '%q' "$file") 2>&1"
}

# lab_capture_stable DIR MAX_ATTEMPTS HOOK NAME=NSPATH...: the ground truth around one reading.
# Reads ipvsadm in every namespace (the connection table, connection counts and counters, then
# rates), runs HOOK (the reading under test), reads ipvsadm again (rates first, then the rest),
# and repeats until both readings agree (connections expire; rates move every 2 s unless
# lab_freeze_rates stopped them; the connection table is compared without its expiry column,
# which counts down). The rate readings sit closest to HOOK. Writes, in $LAB_OUT/DIR:
#   ipvsadm.NAME.{rate,stats,persistent-conn,conn}     the reading after HOOK (the truth; conn is
#                                                      ipvsadm -Lnc)
#   ipvsadm.NAME.{rate,stats,persistent-conn,conn}.before  the reading before HOOK (equal when
#                                                      stable, but for conn's expiry; otherwise the
#                                                      truth lies between the two)
#   ipvsadm.NAME.{list,exact,thresholds}               read last (static attributes; take
#                                                      connection counts from persistent-conn)
#   ipvsadm.NAME.{timeout,daemon}, sysctl.NAME         read last too: the namespace's settings
#                                                      (sysctl net.ipv4.vs, in the namespace)
#   capture.env (attempts=, stable=yes|no, stable_attempt=), capture.log (each attempt's diff)
lab_capture_stable() {
    local dir=$LAB_OUT/$1 max=$2 hook=$3; shift 3
    local attempt=0 stable=no pair name ns mode started elapsed work i
    local -a names=() paths=()
    for pair in "$@"; do names+=("${pair%%=*}"); paths+=("${pair#*=}"); lab_ns_shell "${pair#*=}"; done
    mkdir -p "$dir"
    work=$(mktemp -d "$LAB_RUN/capture.XXXXXX")
    : >"$dir/capture.log"
    while [ "$attempt" -lt "$max" ]; do
        attempt=$((attempt + 1))
        rm -rf "$work/before" "$work/after" "$work/diff" "$work/conn"
        mkdir -p "$work/before" "$work/after" "$work/conn"
        started=${EPOCHREALTIME/./}
        for i in "${!names[@]}"; do
            lab_ipvsadm "${paths[$i]}" conn "$work/conn/${names[$i]}.before"
            lab_without_expiry "$work/conn/${names[$i]}.before" "$work/before/${names[$i]}.conn"
        done
        for i in "${!names[@]}"; do
            lab_ipvsadm "${paths[$i]}" persistent-conn "$work/before/${names[$i]}.persistent-conn"
            lab_ipvsadm "${paths[$i]}" stats "$work/before/${names[$i]}.stats"
        done
        for i in "${!names[@]}"; do lab_ipvsadm "${paths[$i]}" rate "$work/before/${names[$i]}.rate"; done
        "$hook"
        for i in "${!names[@]}"; do lab_ipvsadm "${paths[$i]}" rate "$work/after/${names[$i]}.rate"; done
        for i in "${!names[@]}"; do
            lab_ipvsadm "${paths[$i]}" stats "$work/after/${names[$i]}.stats"
            lab_ipvsadm "${paths[$i]}" persistent-conn "$work/after/${names[$i]}.persistent-conn"
        done
        for i in "${!names[@]}"; do
            lab_ipvsadm "${paths[$i]}" conn "$work/conn/${names[$i]}"
            lab_without_expiry "$work/conn/${names[$i]}" "$work/after/${names[$i]}.conn"
        done
        elapsed=$(( (${EPOCHREALTIME/./} - started) / 1000 ))
        if diff -r "$work/before" "$work/after" >"$work/diff" 2>&1; then
            stable=yes
            echo "attempt $attempt: stable (window ${elapsed} ms)" >>"$dir/capture.log"
            break
        fi
        { echo "attempt $attempt: changed (window ${elapsed} ms)"; cat "$work/diff"; } \
            >>"$dir/capture.log"
        lab_log "${dir##*/}: attempt $attempt: ipvsadm changed during the reading (window ${elapsed} ms)"
    done
    for i in "${!names[@]}"; do
        name=${names[$i]} ns=${paths[$i]}
        for mode in rate stats persistent-conn; do
            cp "$work/after/$name.$mode" "$dir/ipvsadm.$name.$mode"
            cp "$work/before/$name.$mode" "$dir/ipvsadm.$name.$mode.before"
        done
        cp "$work/conn/$name" "$dir/ipvsadm.$name.conn"
        cp "$work/conn/$name.before" "$dir/ipvsadm.$name.conn.before"
        for mode in list exact thresholds timeout daemon; do
            lab_ipvsadm "$ns" "$mode" "$dir/ipvsadm.$name.$mode"
        done
        lab_nsh "$ns" "sysctl net.ipv4.vs >$(printf '%q' "$dir/sysctl.$name") 2>&1"
    done
    printf 'attempts=%s\nstable=%s\nstable_attempt=%s\n' "$attempt" "$stable" \
        "$([ "$stable" = yes ] && echo "$attempt" || echo 0)" >"$dir/capture.env"
    rm -rf "$work"
    lab_log "${dir##*/}: stable=$stable after $attempt attempt(s)"
}

# lab_without_expiry IN OUT: ipvsadm -Lnc's listing IN without its expiry column (bash only).
lab_without_expiry() {
    local protocol expiry rest
    while read -r protocol expiry rest; do printf '%s %s\n' "$protocol" "$rest"; done <"$1" >"$2"
}

# lab_describe_namespaces NAME=NSPATH...: writes $LAB_OUT/namespaces.tsv ("NAME<TAB>NSPATH"),
# and per namespace mangle.NAME (iptables-legacy-save -t mangle) and ip_vs_conn.NAME.
lab_describe_namespaces() {
    local pair name ns
    : >"$LAB_OUT/namespaces.tsv"
    for pair in "$@"; do
        name=${pair%%=*} ns=${pair#*=}
        printf '%s\t%s\n' "$name" "$ns" >>"$LAB_OUT/namespaces.tsv"
        lab_nsh "$ns" "iptables-legacy-save -t mangle >$(printf '%q' "$LAB_OUT/mangle.$name") 2>&1"
        lab_nsh "$ns" "cat /proc/net/ip_vs_conn >$(printf '%q' "$LAB_OUT/ip_vs_conn.$name") 2>&1"
    done
}

# lab_bench_table N D RULES_FILE: the benchmarks' table (bench.sh, pipeline.sh): N virtual
# services x D real servers, restored with one `ipvsadm -R` from RULES_FILE (written, then
# removed). Service i (1..N) is 10.A.B.C:80 with A.B.C = i in base 256, scheduler rr; its real
# servers are 172.16.0.0/12 + k:8080 (k counting every real server from 1, so every destination
# address is distinct), masquerading, weight 1. Writes restore_seconds= to $LAB_OUT/restore.env,
# then stops the rate estimator (no traffic: the rates stay 0 and every reading sees the same
# numbers). N and D come from BENCH_SERVICES and BENCH_DESTS, and are checked here; loads ip_vs
# and ip_vs_rr.
lab_bench_table() {
    local n=$1 d=$2 rules=$3 start restore_s
    [[ "$n" =~ ^[1-9][0-9]*$ && "$n" -le 1000000 ]] || lab_die "BENCH_SERVICES '$n' must be 1..1000000"
    [[ "$d" =~ ^[0-9]+$ && "$d" -le 200 ]] || lab_die "BENCH_DESTS '$d' must be 0..200"
    lab_modprobe ip_vs ip_vs_rr
    lab_log "generating $n services x $d real servers"
    awk -v n="$n" -v d="$d" 'BEGIN {
        k = 0
        for (i = 1; i <= n; i++) {
            s = sprintf("10.%d.%d.%d:80", int(i / 65536) % 256, int(i / 256) % 256, i % 256)
            print "-A -t " s " -s rr"
            for (j = 0; j < d; j++) {
                k++
                printf "-a -t %s -r 172.%d.%d.%d:8080 -m -w 1\n", s, 16 + int(k / 65536) % 16, int(k / 256) % 256, k % 256
            }
        }
    }' >"$rules" || lab_die "generating the rules failed"
    lab_log "restoring $(wc -l <"$rules") rules with ipvsadm -R"
    start=$EPOCHREALTIME
    ipvsadm -R <"$rules" || lab_die "ipvsadm -R of $n services x $d real servers failed"
    restore_s=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
    echo "restore_seconds=$restore_s" >"$LAB_OUT/restore.env"
    lab_log "restored in ${restore_s} s"
    rm -f "$rules"
    echo 0 >/proc/sys/net/ipv4/vs/run_estimation 2>/dev/null
}

# --- A real Docker Engine and Swarm node in the guest ----------------------------------------
# Debian's docker.io (Engine 20.10, containerd, runc), as /work/shared/docs/LAB.md describes:
# the node's only address is LAB_DOCKER_ADDR on a dummy link (a documentation range); the guest
# has no network device to the outside, so nothing leaves it. No registry is reachable: images
# come from lab_busybox_image and services are created with --no-resolve-image.
LAB_DOCKER=${LAB_DOCKER:-/usr/bin/docker}   # Debian's CLI (another one may come first in PATH)
LAB_DOCKER_ADDR=192.0.2.10
LAB_DOCKER_NETNS=/var/run/docker/netns
LAB_DOCKER_SOCK=/var/run/docker.sock
LAB_DOCKER_API=http://localhost/v1.41
# Without xt_REDIRECT the ingress routing mesh drops traffic; xt_ipvs is for the SNAT of
# masqueraded VIP traffic; ip_vs_rr is the scheduler Docker asks for.
LAB_DOCKER_MODULES="bridge br_netfilter vxlan overlay veth llc stp dummy nf_conntrack nf_nat \
iptable_nat iptable_filter iptable_mangle ip_tables xt_MASQUERADE xt_addrtype xt_conntrack \
xt_nat xt_mark xt_tcpudp xt_ipvs xt_comment xt_multiport ipt_REJECT xfrm_user xt_policy xt_u32 \
xt_bpf xt_REDIRECT xt_state ip_set ip_vs ip_vs_rr"

# lab_docker_start [SECONDS]: loads LAB_DOCKER_MODULES, mounts cgroup2, puts tmpfs over /var/lib
# (+ docker, containerd), /etc/docker, /var/log and /root, prepends a PATH directory whose
# iptables, ip6tables and their -save/-restore are the -legacy tools (dockerd calls them by
# name; the guest's nf_tables has no nat table for iptables-nft), adds dummy0 with
# LAB_DOCKER_ADDR/24, starts containerd and dockerd (overlay2, plus LAB_DOCKERD_ARGS, e.g.
# --log-level=debug; logs/containerd.log, logs/dockerd.log) and waits up to SECONDS (default
# 120) for `docker info` (written to $LAB_OUT/docker-info.txt).
lab_docker_start() {
    local limit=${1:-120} bin=$LAB_RUN/docker-bin dir tool deadline pid_c pid_d
    deadline=$((SECONDS + limit))
    # shellcheck disable=SC2086
    lab_modprobe $LAB_DOCKER_MODULES
    mount -t cgroup2 none /sys/fs/cgroup || lab_die "mounting cgroup2 on /sys/fs/cgroup failed"
    for dir in /var/lib /etc/docker /var/log /root; do
        mount -t tmpfs -o mode=0755 tmpfs "$dir" || lab_die "tmpfs over $dir failed"
    done
    mkdir -p /var/lib/docker /var/lib/containerd "$bin" || lab_die "mkdir for docker failed"
    for tool in iptables iptables-save iptables-restore ip6tables ip6tables-save ip6tables-restore; do
        # iptables-save -> iptables-legacy-save
        ln -s "/usr/sbin/${tool%%-*}-legacy${tool#"${tool%%-*}"}" "$bin/$tool" || lab_die "ln $tool failed"
    done
    export PATH="$bin:$PATH"
    printf '%s\n' "link add dummy0 type dummy" "address add $LAB_DOCKER_ADDR/24 dev dummy0" \
        "link set dummy0 up" | ip -batch - || lab_die "cannot add dummy0 with $LAB_DOCKER_ADDR"
    containerd >"$LAB_OUT/logs/containerd.log" 2>&1 &
    pid_c=$!
    LAB_PIDS+=("$pid_c")
    while [ ! -S /run/containerd/containerd.sock ]; do
        kill -0 "$pid_c" 2>/dev/null || lab_die "containerd exited (see logs/containerd.log)"
        [ "$SECONDS" -lt "$deadline" ] || lab_die "containerd did not open its socket within ${limit} s"
        lab_sleep 0.1
    done
    lab_log "containerd up"
    # shellcheck disable=SC2086
    dockerd --containerd=/run/containerd/containerd.sock --storage-driver=overlay2 ${LAB_DOCKERD_ARGS:-} \
        >"$LAB_OUT/logs/dockerd.log" 2>&1 &
    pid_d=$!
    LAB_PIDS+=("$pid_d")
    until [ -S "$LAB_DOCKER_SOCK" ] && "$LAB_DOCKER" info >"$LAB_OUT/docker-info.txt" 2>&1; do
        kill -0 "$pid_d" 2>/dev/null || lab_die "dockerd exited (see logs/dockerd.log)"
        [ "$SECONDS" -lt "$deadline" ] || lab_die "dockerd did not answer docker info within ${limit} s (see logs/dockerd.log)"
        lab_sleep 0.2
    done
    lab_log "dockerd up"
}

# lab_busybox_image [TAG]: imports an image TAG (default bb:1) made from busybox-static:
# /bin/busybox with links for its applets (sh, httpd, wget, ...), /tmp and /www/index.html,
# whose content is traffic.py's 1 KiB body (so `traffic.py run ... http-get` checks the answers of
# `/bin/httpd -f -p 80 -h /www`). One python process writes the tar stream.
lab_busybox_image() {
    local tag=${1:-bb:1}
    "$LAB_PYTHON" - "$LAB_GUEST" <<'PY' | "$LAB_DOCKER" import - "$tag" >"$LAB_OUT/logs/image-import.log" 2>&1 \
        || lab_die "docker import of $tag failed (see logs/image-import.log)"
import io, sys, tarfile
sys.path.insert(0, sys.argv[1])
from traffic import BODY
out = tarfile.open(fileobj=sys.stdout.buffer, mode="w|")
def entry(name, kind=tarfile.DIRTYPE, mode=0o755, data=b"", target=""):
    info = tarfile.TarInfo(name)
    info.type, info.mode, info.size, info.linkname, info.mtime = kind, mode, len(data), target, 0
    out.addfile(info, io.BytesIO(data) if data else None)
for d in ("bin", "etc", "www"):
    entry(d)
entry("tmp", mode=0o1777)
with open("/bin/busybox", "rb") as f:
    entry("bin/busybox", tarfile.REGTYPE, 0o755, f.read())
for applet in ("sh", "httpd", "wget", "cat", "ls", "ip", "ps", "sleep", "hostname", "nslookup", "netstat"):
    entry("bin/" + applet, tarfile.SYMTYPE, 0o777, target="busybox")
entry("www/index.html", tarfile.REGTYPE, 0o644, BODY)
out.close()
PY
    lab_log "image $tag imported"
}

# lab_swarm_init: `docker swarm init` on LAB_DOCKER_ADDR (logs/swarm-init.log).
lab_swarm_init() {
    "$LAB_DOCKER" swarm init --advertise-addr "$LAB_DOCKER_ADDR" --listen-addr "$LAB_DOCKER_ADDR:2377" \
        >"$LAB_OUT/logs/swarm-init.log" 2>&1 || lab_die "docker swarm init failed (see logs/swarm-init.log)"
    lab_log "swarm initialised"
}

# lab_docker_api FILE=PATH...: GETs every Engine API PATH (e.g. /services, after LAB_DOCKER_API)
# over the socket into FILE, with one curl.
lab_docker_api() {
    local pair args=()
    for pair in "$@"; do
        [ "${#args[@]}" -eq 0 ] || args+=(--next)
        args+=(-sS --fail --max-time 30 --unix-socket "$LAB_DOCKER_SOCK" -o "${pair%%=*}" "$LAB_DOCKER_API${pair#*=}")
    done
    curl "${args[@]}"
}

# lab_wait_netns NSPATH [SECONDS]: waits (default 60 s) until NSPATH is a mounted network
# namespace (Docker creates the file before it bind-mounts the namespace on it). Reads
# /proc/self/mountinfo with bash builtins only.
lab_wait_netns() {
    local ns=$1 limit=${2:-60} real fields deadline
    real=${ns/#\/var\/run\//\/run\/}
    deadline=$((SECONDS + limit))
    while :; do
        while read -r -a fields; do
            [ "${fields[4]}" = "$real" ] && [[ " ${fields[*]} " == *" - nsfs "* ]] && return 0
        done </proc/self/mountinfo
        [ "$SECONDS" -lt "$deadline" ] || lab_die "$ns is not a network namespace after ${limit} s"
        lab_sleep 0.2
    done
}

# lab_wait_rule NSPATH TABLE TEXT [SECONDS]: waits (default 60 s) until a line of
# `iptables-legacy-save -t TABLE` in NSPATH ("" = the guest's own) contains TEXT.
lab_wait_rule() {
    local ns=$1 table=$2 text=$3 limit=${4:-60} file=$LAB_RUN/wait-rule.txt line deadline
    deadline=$((SECONDS + limit))
    while :; do
        lab_nsh "$ns" "iptables-legacy-save -t $table >$file 2>&1"
        while IFS= read -r line; do
            [[ "$line" == *"$text"* ]] && return 0
        done <"$file"
        [ "$SECONDS" -lt "$deadline" ] || lab_die "no rule with '$text' in table $table of '${ns:-the guest}' after ${limit} s"
        lab_sleep 0.3
    done
}

# lab_swarm_wait_replicas SECONDS NAME=N...: waits until `docker service ls` shows N/N running
# replicas for every service NAME.
lab_swarm_wait_replicas() {
    local limit=$1 deadline pair name want line missing file=$LAB_RUN/service-ls.txt; shift
    deadline=$((SECONDS + limit))
    while :; do
        "$LAB_DOCKER" service ls --format '{{.Name}} {{.Replicas}}' >"$file" 2>&1
        missing=
        for pair in "$@"; do
            name=${pair%%=*} want=${pair#*=}
            while read -r line; do
                [ "$line" = "$name $want/$want" ] && continue 2
            done <"$file"
            missing+=" $name"
        done
        [ -z "$missing" ] && return 0
        [ "$SECONDS" -lt "$deadline" ] || lab_die "services not running with all replicas after ${limit} s:$missing ($(tr '\n' ';' <"$file"))"
        lab_sleep 0.5
    done
}

# lab_swarm_wait_ipvs NSPATH TEXT REALS [SECONDS]: waits (default 60 s) until NSPATH is a
# namespace whose mangle table has a rule containing TEXT that sets a firewall mark
# (`... TEXT ... -j MARK --set-xmark 0xN/...`, as Docker writes them: "--dport 30000 " in
# ingress_sbox, "-d 10.0.1.2/32 " in lb_*) and whose IPVS table has the service `FWM N` with
# REALS real servers. Sets LAB_SWARM_FWMARK=N (decimal). Each poll is two processes (one
# iptables-legacy-save, one ipvsadm) in the namespace's lab_nsh shell.
lab_swarm_wait_ipvs() {
    local ns=$1 text=$2 want=$3 limit=${4:-60} file=$LAB_RUN/wait-ipvs.txt deadline line hex
    local section mark reals in_service
    deadline=$((SECONDS + limit))
    lab_wait_netns "$ns" "$limit"
    while :; do
        lab_nsh "$ns" "{ iptables-legacy-save -t mangle; echo '#ipvsadm'; ipvsadm -Ln; } >$file 2>&1"
        section=mangle mark= reals=-1 in_service=
        while IFS= read -r line; do
            case "$line" in
                '#ipvsadm') section=ipvsadm ;;
                *"$text"*"-j MARK --set-xmark 0x"*)
                    if [ "$section" = mangle ]; then
                        hex=${line##*--set-xmark 0x}; hex=${hex%%/*}; mark=$((16#$hex))
                    fi ;;
                "FWM  "*)
                    in_service=
                    if [ -n "$mark" ] && [[ "$line" == "FWM  $mark "* ]]; then in_service=1 reals=0; fi ;;
                "  -> RemoteAddress"*) ;;
                "  -> "*) [ -n "$in_service" ] && reals=$((reals + 1)) ;;
                *) [ "$section" = ipvsadm ] && in_service= ;;
            esac
        done <"$file"
        if [ -n "$mark" ] && [ "$reals" -eq "$want" ]; then
            LAB_SWARM_FWMARK=$mark
            return 0
        fi
        if [ "$SECONDS" -ge "$deadline" ]; then
            cp "$file" "$LAB_OUT/wait-ipvs-timeout.txt"
            lab_die "${ns##*/}: no firewall-mark service for '$text' with $want real server(s) after ${limit} s (mark: ${mark:-no rule}, real servers: ${reals/#-1/no service}; see wait-ipvs-timeout.txt)"
        fi
        lab_sleep 0.3
    done
}

# lab_docker_record_netns DIR: records every namespace under LAB_DOCKER_NETNS and the guest's own
# ("host") in $LAB_OUT/DIR/<name>/: ipvsadm.{stats,rate,list,persistent-conn} (-Ln --stats
# --exact, -Ln --rate --exact, -Ln, -Ln --persistent-conn), mangle (iptables-legacy-save -t
# mangle), iptables (iptables-legacy-save, every table), ip_vs_conn (/proc/net/ip_vs_conn) and
# addresses (ip -o address). Writes $LAB_OUT/DIR/namespaces.tsv: "NAME<TAB>PATH<TAB>KIND<TAB>
# SERVICES<TAB>FWMARKS" (KIND host, ingress, lb, overlay or container; SERVICES the number of
# IPVS virtual services; FWMARKS their marks, comma-separated, "-" for none; PATH is empty for
# host) and sets LAB_DOCKER_IPVS_NS to NAME=PATH of every Docker namespace with services.
# Record after the traffic has stopped.
LAB_DOCKER_IPVS_NS=()
lab_docker_record_netns() {
    local base=$LAB_OUT/$1 path name kind dir q services marks line
    LAB_DOCKER_IPVS_NS=()
    mkdir -p "$base"
    : >"$base/namespaces.tsv"
    for path in "" "$LAB_DOCKER_NETNS"/*; do
        if [ -z "$path" ]; then name=host; else name=${path##*/}; lab_wait_netns "$path" 5; fi
        case "$name" in
            host) kind=host ;;
            ingress_sbox) kind=ingress ;;
            lb_*) kind=lb ;;
            [0-9]-*) kind=overlay ;;
            *) kind=container ;;
        esac
        dir=$base/$name
        mkdir -p "$dir"
        q=$(printf '%q' "$dir")
        lab_nsh "$path" "ipvsadm -Ln --stats --exact >$q/ipvsadm.stats 2>&1
            ipvsadm -Ln --rate --exact >$q/ipvsadm.rate 2>&1
            ipvsadm -Ln >$q/ipvsadm.list 2>&1
            ipvsadm -Ln --persistent-conn >$q/ipvsadm.persistent-conn 2>&1
            iptables-legacy-save -t mangle >$q/mangle 2>&1
            iptables-legacy-save >$q/iptables 2>&1
            cat /proc/net/ip_vs_conn >$q/ip_vs_conn 2>&1
            ip -o address >$q/addresses 2>&1"
        services=0 marks=
        while IFS= read -r line; do
            case "$line" in
                "FWM  "*) services=$((services + 1)); line=${line#FWM  }; marks+=${marks:+,}${line%% *} ;;
                TCP\ *|UDP\ *|SCTP\ *) services=$((services + 1)) ;;
            esac
        done <"$dir/ipvsadm.list"
        printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$path" "$kind" "$services" "${marks:--}" >>"$base/namespaces.tsv"
        if [ "$services" -gt 0 ] && [ -n "$path" ]; then LAB_DOCKER_IPVS_NS+=("$name=$path"); fi
    done
}

lab_stop_background() {
    local pid
    for pid in "${LAB_PIDS[@]}"; do kill "$pid" 2>/dev/null; done
    LAB_PIDS=()
}

# --- Phase timing: lab_phase_begin NAME ... lab_phase_end, one line per phase in
# $LAB_OUT/timings.tsv (phase, start, end, seconds of guest uptime), no process started. The
# first line after the header is the boot itself (kernel start to the scenario).
LAB_TIMINGS=$LAB_OUT/timings.tsv
lab_centis() { local up rest; read -r up rest </proc/uptime; REPLY=${up/./}; REPLY=$((10#$REPLY)); }
lab_fmt_centis() { printf -v REPLY '%d.%02d' $(($1 / 100)) $(($1 % 100)); }
lab_timings_start() {
    printf 'phase\tstart\tend\tseconds\n' >"$LAB_TIMINGS"
    lab_centis; lab_fmt_centis "$REPLY"
    printf 'boot\t0.00\t%s\t%s\n' "$REPLY" "$REPLY" >>"$LAB_TIMINGS"
}
lab_phase_begin() { LAB_PHASE=$1; lab_centis; LAB_PHASE_T0=$REPLY; lab_log "phase $LAB_PHASE"; }
lab_phase_end() {
    local t1 a b d
    lab_centis; t1=$REPLY
    lab_fmt_centis "$LAB_PHASE_T0"; a=$REPLY; lab_fmt_centis "$t1"; b=$REPLY
    lab_fmt_centis $((t1 - LAB_PHASE_T0)); d=$REPLY
    printf '%s\t%s\t%s\t%s\n' "$LAB_PHASE" "$a" "$b" "$d" >>"$LAB_TIMINGS"
    lab_log "phase $LAB_PHASE done in $d s"
}

# lab_wait_http NAME PID URL: until URL answers 2xx (a process start per attempt; at most 180 s);
# dies when PID exits first.
lab_wait_http() {
    local name=$1 pid=$2 url=$3 deadline=$((SECONDS + 180))
    until curl -sf -o /dev/null --max-time 5 "$url"; do
        kill -0 "$pid" 2>/dev/null || lab_die "$name exited (see logs/$name.log)"
        [ "$SECONDS" -lt "$deadline" ] || lab_die "$name was not ready within 180 s"
        lab_sleep 0.3
    done
    lab_log "$name ready"
}

# lab_swarm_lb_netns NETWORK_ID [SECONDS]: waits (default 120 s) until the overlay network's
# load-balancing namespace exists (lb_ + a prefix of its id) and sets REPLY to its path.
lab_swarm_lb_netns() {
    local net=$1 limit=${2:-120} path deadline
    deadline=$((SECONDS + limit))
    while :; do
        for path in "$LAB_DOCKER_NETNS"/lb_*; do
            [ -e "$path" ] && [[ "$net" == "${path##*/lb_}"* ]] && { REPLY=$path; return 0; }
        done
        [ "$SECONDS" -lt "$deadline" ] || lab_die "no lb_ namespace for network $net after ${limit} s"
        lab_sleep 0.3
    done
}

# lab_swarm_vip NAME NETWORK_ID: waits (at most 60 s) until Docker has allocated the service's
# virtual IP on that network and sets REPLY to it (without its prefix length).
lab_swarm_vip() {
    local name=$1 net=$2 deadline=$((SECONDS + 60)) vip=
    while [ -z "$vip" ]; do
        lab_docker_api "$LAB_RUN/services.json=/services"
        vip=$(jq -r --arg name "$name" --arg net "$net" '.[] | select(.Spec.Name == $name) | .Endpoint.VirtualIPs[]?
            | select(.NetworkID == $net) | .Addr' "$LAB_RUN/services.json")
        [ -n "$vip" ] && break
        [ "$SECONDS" -lt "$deadline" ] || lab_die "$name has no VIP on network $net after 60 s"
        lab_sleep 0.3
    done
    REPLY=${vip%/*}
}
