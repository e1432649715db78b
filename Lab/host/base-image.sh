#!/bin/bash
# Lab/host/base-image.sh: the IPVS lab's stand-in for debian:bookworm-slim. The guest reaches no
# registry and no apt mirror, so the image's base is made here, on the host: a Debian 12 root
# file system (`debootstrap --variant=minbase bookworm`) with the packages the Dockerfile's
# runtime stage needs (its `ARG RUNTIME_PACKAGES="..."`) already installed, tarred for
# `docker import` in the guest (gzip-compressed) (Lab/scenarios/swarm-deploy.sh imports it as
# debian:bookworm-slim, so the Dockerfile's runtime stage finds nothing missing and never
# touches the network).
#
#   Lab/host/base-image.sh            prints the tarball's path (made once, then reused)
#   Lab/host/base-image.sh --key      prints only the cache key
#
# The tarball is cached outside the repository, in $IPVS_LAB_CACHE (default
# /var/cache/ipvs-push-lab), as debian-bookworm-<key>.tar.gz, the key being a hash of the suite,
# the variant and the sorted package list: changing the list makes a new one, an unchanged list
# reuses the old one without touching the network. Beside it, <tarball>.packages lists what
# the key covers. Concurrent runs wait for each other (flock).
#
# Needs root (debootstrap chroots and creates device nodes), debootstrap and network access to
# $IPVS_LAB_DEBIAN_MIRROR (default http://deb.debian.org/debian) the first time only.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DOCKERFILE=$ROOT/deploy/docker/Dockerfile
CACHE=${IPVS_LAB_CACHE:-/var/cache/ipvs-push-lab}
MIRROR=${IPVS_LAB_DEBIAN_MIRROR:-http://deb.debian.org/debian}
SUITE=bookworm
VARIANT=minbase

die() { echo "base-image.sh: $*" >&2; exit 1; }

[ -r "$DOCKERFILE" ] || die "$DOCKERFILE is missing"
packages=$(sed -n 's/^ARG RUNTIME_PACKAGES="\(.*\)"[[:space:]]*$/\1/p' "$DOCKERFILE")
[ -n "$packages" ] || die "no line ARG RUNTIME_PACKAGES=\"...\" in $DOCKERFILE"
# shellcheck disable=SC2086
sorted=$(printf '%s\n' $packages | sort -u)
# (layout=: what this script does to the tree; bump it when that changes)
key=$(printf '%s\n' "suite=$SUITE" "variant=$VARIANT" "layout=2" $sorted | sha256sum | cut -c1-16)
if [ "${1:-}" = --key ]; then echo "$key"; exit 0; fi
[ $# -eq 0 ] || die "usage: $0 [--key]"

tarball=$CACHE/debian-$SUITE-$key.tar.gz
if [ -s "$tarball" ]; then echo "$tarball"; exit 0; fi

[ "$(id -u)" -eq 0 ] || die "$tarball does not exist yet and making it needs root (debootstrap): run this once as root"
command -v debootstrap >/dev/null || die "debootstrap is not installed (apt-get install debootstrap, or make deps)"
mkdir -p "$CACHE" || die "cannot create $CACHE"
exec {lock}>"$CACHE/.lock"
flock "$lock"
# Made by another run while this one waited.
if [ -s "$tarball" ]; then echo "$tarball"; exit 0; fi

work=$(mktemp -d "$CACHE/.make.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root
log=$CACHE/debootstrap-$key.log
echo "base-image.sh: debootstrap --variant=$VARIANT $SUITE with:" $sorted "(log: $log)" >&2
started=$SECONDS
if ! debootstrap --variant="$VARIANT" --include="$(printf '%s\n' $sorted | paste -sd,)" \
    "$SUITE" "$root" "$MIRROR" >"$log" 2>&1; then
    tail -n 20 "$log" >&2
    [ -f "$root/debootstrap/debootstrap.log" ] && tail -n 20 "$root/debootstrap/debootstrap.log" >&2
    die "debootstrap failed (see $log, and $MIRROR must be reachable)"
fi
for package in $sorted; do
    state=$(chroot "$root" dpkg-query -W -f '${db:Status-Status}' "$package" 2>/dev/null || true)
    [ "$state" = installed ] || die "$package is not installed in the new root file system (state '${state:-unknown}')"
done
# What debian:bookworm-slim leaves out too: downloaded packages, package lists, documentation,
# translations (a sixth of the files: every file costs in the guest's docker import).
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* \
    "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/* "$root"/debootstrap
# Compressed: the guest reads it through hostfs and docker import streams it over the socket, both
# slow in user-mode Linux; decompressing is not.
tar --numeric-owner --xattrs --xattrs-include='*' -C "$root" -cf - . | gzip -6 >"$work/image.tar" \
    || die "tar of $root failed"
printf '%s\n' $sorted >"$tarball.packages"
mv "$work/image.tar" "$tarball"
echo "base-image.sh: made $tarball ($(du -h "$tarball" | cut -f1)) in $((SECONDS - started)) s" >&2
echo "$tarball"
