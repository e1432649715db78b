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
        *) lab_die "unknown ipvsadm mode $mode" ;;
    esac
    lab_nsh "$ns" "ipvsadm $args >$(printf '%q' "$file") 2>&1"
}

# lab_capture_stable DIR MAX_ATTEMPTS HOOK NAME=NSPATH...: the ground truth around one reading.
# Reads ipvsadm in every namespace (connection counts and counters, then rates), runs HOOK (the
# reading under test), reads ipvsadm again (rates first, then the rest), and repeats until both
# readings agree (connections expire; rates move every 2 s unless lab_freeze_rates stopped
# them). The rate readings sit closest to HOOK. Writes, in
# $LAB_OUT/DIR:
#   ipvsadm.NAME.{rate,stats,persistent-conn}          the reading after HOOK (the truth)
#   ipvsadm.NAME.{rate,stats,persistent-conn}.before   the reading before HOOK (equal when stable;
#                                                      otherwise the truth lies between the two)
#   ipvsadm.NAME.{list,exact,thresholds,conn}          read last (static attributes; take
#                                                      connection counts from persistent-conn)
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
        rm -rf "$work/before" "$work/after" "$work/diff"
        mkdir -p "$work/before" "$work/after"
        started=${EPOCHREALTIME/./}
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
        for mode in list exact thresholds conn; do lab_ipvsadm "$ns" "$mode" "$dir/ipvsadm.$name.$mode"; done
    done
    printf 'attempts=%s\nstable=%s\nstable_attempt=%s\n' "$attempt" "$stable" \
        "$([ "$stable" = yes ] && echo "$attempt" || echo 0)" >"$dir/capture.env"
    rm -rf "$work"
    lab_log "${dir##*/}: stable=$stable after $attempt attempt(s)"
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

lab_stop_background() {
    local pid
    for pid in "${LAB_PIDS[@]}"; do kill "$pid" 2>/dev/null; done
    LAB_PIDS=()
}
