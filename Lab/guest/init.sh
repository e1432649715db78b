#!/bin/bash
# PID 1 of an ipvs-lab guest (started by Lab/ipvs-lab through init=). The root file system is
# the host's, read-only over hostfs. This script makes the few places tools write to writable,
# mounts the host's output directory, runs the scenario and powers the guest off.
#
# Kernel command line environment (set by ipvs-lab): LAB_BOOT (host dir holding `env`,
# `command` and `mods/lib/modules/<version>`), LAB_HOST_OUT (host output dir).
# The scenario sees: LAB_OUT (output dir, read-write), LAB_MODULES_ROOT (for modprobe -d),
# LAB_DIR (the host's Lab directory) and every --env given to ipvs-lab.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=dumb
umask 022

readonly GUEST_OUT=/run/lab/out GUEST_BOOT=/run/lab/boot

power_off() {
    sync
    umount "$GUEST_OUT" 2>/dev/null
    poweroff -f
    echo o > /proc/sysrq-trigger
    sleep 10
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir -p "$GUEST_OUT" "$GUEST_BOOT"
if ! mount -t hostfs none "$GUEST_OUT" -o "$LAB_HOST_OUT"; then
    echo "ipvs-lab init: cannot mount the host output directory '$LAB_HOST_OUT'" >&2
    power_off
fi
exec 3>>"$GUEST_OUT/init.log"
log() { echo "[$(cut -d' ' -f1 /proc/uptime)] $*" >&3; }
log "init started, kernel $(uname -r)"
if ! mount -r -t hostfs none "$GUEST_BOOT" -o "$LAB_BOOT"; then
    log "cannot mount the boot directory '$LAB_BOOT'"
    power_off
fi
export LAB_OUT=$GUEST_OUT LAB_MODULES_ROOT=$GUEST_BOOT/mods

# Writable places. /var/run is a link to /run on Debian, so /run covers /var/run/docker,
# /run/netns and /run/xtables.lock. /tmp, /var/tmp and /root keep the host's contents visible
# (a scenario or binary under /tmp still works) with a private writable overlay on top;
# without overlayfs they become empty tmpfs.
mountpoint -q /dev || mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/shm /dev/pts 2>/dev/null
mount -t tmpfs tmpfs /dev/shm 2>/dev/null
mount -t devpts devpts /dev/pts 2>/dev/null
modprobe -d "$LAB_MODULES_ROOT" overlay 2>>"$GUEST_OUT/init.log"
for dir in /tmp /var/tmp /root; do
    [ -d "$dir" ] || continue
    name=${dir//\//_}
    mkdir -p "/run/lab/overlay/$name/upper" "/run/lab/overlay/$name/work"
    chmod 1777 "/run/lab/overlay/$name/upper"
    [ "$dir" = /root ] && chmod 0700 "/run/lab/overlay/$name/upper"
    if ! mount -t overlay overlay "$dir" \
        -o "lowerdir=$dir,upperdir=/run/lab/overlay/$name/upper,workdir=/run/lab/overlay/$name/work" \
        2>>"$GUEST_OUT/init.log"; then
        log "overlay on $dir failed, using an empty tmpfs"
        mount -t tmpfs -o mode=1777 tmpfs "$dir"
    fi
done
hostname ipvs-lab 2>/dev/null
ip link set lo up

# shellcheck source=/dev/null
. "$GUEST_BOOT/env"
# shellcheck source=/dev/null
. "$GUEST_BOOT/command"
log "running $LAB_SCENARIO ${LAB_ARGS[*]}"
cd /
if [ -x "$LAB_SCENARIO" ]; then
    "$LAB_SCENARIO" "${LAB_ARGS[@]}" >"$GUEST_OUT/scenario.stdout" 2>"$GUEST_OUT/scenario.stderr" </dev/null
else
    bash "$LAB_SCENARIO" "${LAB_ARGS[@]}" >"$GUEST_OUT/scenario.stdout" 2>"$GUEST_OUT/scenario.stderr" </dev/null
fi
rc=$?
log "scenario exited with $rc"
echo "$rc" > "$GUEST_OUT/scenario.rc.tmp" && mv "$GUEST_OUT/scenario.rc.tmp" "$GUEST_OUT/scenario.rc"
exec 3>&-
power_off
