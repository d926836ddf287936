#!/usr/bin/env bash
# Prepares a Debian machine (as root) for kiln's tests and examples: system packages, and a non-root
# test user `kilntest` with a subordinate uid/gid range. Idempotent; safe to run again.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
  echo "setup-host.sh must run as root (it installs packages and creates the test user)" >&2
  exit 1
fi

packages=(
  uidmap runc crun fuse-overlayfs docker-registry busybox-static debootstrap skopeo umoci podman buildah
  openssh-client openssh-server openssl apache2-utils git zstd xz-utils bzip2 tar util-linux iproute2 ca-certificates attr
  tmux gcc libc6-dev
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The Debian package starts a registry on :5000 as a service; tests start their own on random ports.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet docker-registry 2>/dev/null; then
  systemctl stop docker-registry || true
fi

user=kilntest
if ! id "$user" >/dev/null 2>&1; then
  useradd --create-home --shell /bin/bash "$user"
fi
for f in /etc/subuid /etc/subgid; do
  touch "$f"
  grep -q "^$user:" "$f" || echo "$user:200000:65536" >>"$f"
done
# A second user without any subordinate range, for the single-id fallback tests.
if ! id kilntest-noid >/dev/null 2>&1; then
  useradd --create-home --shell /bin/bash kilntest-noid
fi
# useradd allocates subordinate ranges automatically (SUB_UID_MIN in login.defs): remove them again.
for f in /etc/subuid /etc/subgid; do
  if grep -q '^kilntest-noid:' "$f"; then
    sed -i '/^kilntest-noid:/d' "$f"
  fi
done
# A cached Debian bookworm minbase rootfs for test/integration/debian-*.test.ts (needs deb.debian.org;
# without it those tests skip).
if ! "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/make-debian-rootfs.sh" >/dev/null; then
  echo "warning: no Debian base rootfs (debootstrap failed: mirror unreachable?); the Debian integration tests will skip" >&2
fi
echo "host ready: test users $user (subuid/subgid 200000+65536) and kilntest-noid (no ranges)"
