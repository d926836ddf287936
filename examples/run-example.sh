#!/usr/bin/env bash
# The README's main job. On a fresh Debian 12 machine, as root: prepares everything (system packages,
# npm dependencies, the compiled CLI, the unprivileged user `kilntest`); then, AS THAT UNPRIVILEGED USER,
# with no daemon and no root:
#   1. makes a busybox base image from busybox-static and loads it (`kiln load`),
#   2. builds examples/hello (`kiln build`, two stages, RUN with a heredoc, COPY --from, USER, ...),
#   3. rebuilds it unchanged (every step CACHED, same digest),
#   4. saves it as a docker-archive and runs it with rootless podman.
# Run as an ordinary user (with a subuid range) it does the same for that user, skipping step 0.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

if [ "$(id -u)" -eq 0 ]; then
  bash scripts/setup-host.sh
  [ -d node_modules ] || npm ci --no-audit --no-fund
fi
npm run build --silent

# A scratch home for the example: the kiln store, podman's storage, the archives.
work=$(mktemp -d /tmp/kiln-example.XXXXXX)
chmod 755 "$work"
as=()
if [ "$(id -u)" -eq 0 ]; then
  # The unprivileged user must be able to read the checkout; copy it when it lives somewhere private.
  if ! runuser -u kilntest -- test -r "$repo/dist/src/cli/main.js"; then
    mkdir -p "$work/kiln"
    cp -r package.json dist node_modules examples "$work/kiln/"
    chmod -R a+rX "$work/kiln"
    repo=$work/kiln
  fi
  chown kilntest: "$work"
  as=(runuser -u kilntest --)
fi
user_env=(env HOME="$work" XDG_RUNTIME_DIR="$work/run" PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin)
kiln=("${as[@]}" "${user_env[@]}" node "$repo/dist/src/cli/main.js" --root "$work/store")
podman=("${as[@]}" "${user_env[@]}" podman --root "$work/podman" --runroot "$work/run/podman"
  --cgroup-manager cgroupfs --events-backend none)
# crun refuses hybrid cgroup hierarchies (some VMs); runc copes, so prefer it when installed.
command -v runc >/dev/null 2>&1 && podman+=(--runtime runc)

echo "==> as $("${as[@]}" id -un): make and load a busybox base image (no registry needed)"
"${as[@]}" mkdir -p "$work/run"
"${as[@]}" chmod 700 "$work/run"
"${as[@]}" bash "$repo/examples/make-busybox-archive.sh" "$work/busybox.tar" >/dev/null
"${kiln[@]}" load -i "$work/busybox.tar"

echo "==> kiln build -t kiln-example/hello examples/hello"
"${kiln[@]}" build --progress plain -t kiln-example/hello:latest "$repo/examples/hello"

echo "==> the same build again: every step is CACHED and the digest is the same"
"${kiln[@]}" build --progress plain -t kiln-example/hello:latest "$repo/examples/hello" 2>&1 | grep -E 'CACHED|^image' || true

echo "==> kiln save | podman load; podman run (rootless)"
"${kiln[@]}" save -o "$work/hello.tar" kiln-example/hello:latest
"${podman[@]}" load -q -i "$work/hello.tar" >/dev/null
"${podman[@]}" run --rm --network host --no-healthcheck kiln-example/hello:latest
echo "==> done (scratch files in $work)"
