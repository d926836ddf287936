#!/usr/bin/env bash
# Makes (once) a Debian bookworm minbase root filesystem tar for kiln's integration tests and prints its
# path. Runs debootstrap as root; the tar is packed with GNU tar (numeric owners, xattrs) and cached at
# $KILN_DEBIAN_CACHE (default /var/cache/kiln-test), written to a temp file and renamed into place.
# If another debootstrap is already running (e.g. the benchmarks preparing theirs), waits for it first.
# Exit status: 0 and the path on stdout when the tar exists; non-zero with a reason on stderr otherwise.
set -euo pipefail

cache_dir="${KILN_DEBIAN_CACHE:-/var/cache/kiln-test}"
mirror="${KILN_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
suite=bookworm
target="$cache_dir/debian-$suite-minbase.tar"

if [ -s "$target" ]; then
  echo "$target"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "make-debian-rootfs.sh: debootstrap needs root (no cached $target)" >&2
  exit 2
fi
if ! command -v debootstrap >/dev/null 2>&1; then
  echo "make-debian-rootfs.sh: debootstrap is not installed" >&2
  exit 2
fi

mkdir -p "$cache_dir"
chmod 755 "$cache_dir"

# One debootstrap at a time on this machine: wait (up to 15 minutes) for a running one to finish.
waited=0
while pgrep -x debootstrap >/dev/null 2>&1; do
  if [ "$waited" -eq 0 ]; then echo "make-debian-rootfs.sh: waiting for a running debootstrap" >&2; fi
  if [ "$waited" -ge 900 ]; then
    echo "make-debian-rootfs.sh: gave up waiting for another debootstrap" >&2
    exit 3
  fi
  sleep 5
  waited=$((waited + 5))
done
# Serialise concurrent calls of this script too, then re-check the cache under the lock.
exec 9>"$cache_dir/.make-debian-rootfs.lock"
flock 9
if [ -s "$target" ]; then
  echo "$target"
  exit 0
fi

work="$(mktemp -d "$cache_dir/.debootstrap.XXXXXX")"
cleanup() { rm -rf --one-file-system "$work"; }
trap cleanup EXIT

echo "make-debian-rootfs.sh: debootstrap --variant=minbase $suite ($mirror) ..." >&2
if ! debootstrap --variant=minbase "$suite" "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1; then
  echo "make-debian-rootfs.sh: debootstrap failed (mirror unreachable?):" >&2
  tail -n 5 "$work/debootstrap.log" >&2
  exit 4
fi
# Like Debian's official images (debuerreotype): no host resolver configuration or hostname, and an
# empty /dev (debootstrap creates device nodes; a runtime provides /dev, and rootless unpacking cannot
# create device nodes anyway).
rm -f "$work/rootfs/etc/resolv.conf" "$work/rootfs/etc/hostname"
find "$work/rootfs/dev" -mindepth 1 -delete
rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"* 2>/dev/null || true

tar --numeric-owner --xattrs --xattrs-include='*' -C "$work/rootfs" -cf "$work/rootfs.tar" .
chmod 644 "$work/rootfs.tar"
mv -f "$work/rootfs.tar" "$target"
echo "$target"
