#!/usr/bin/env bash
# Makes a small busybox base image as a docker-archive (the `docker save` format) from Debian's
# busybox-static, with nothing but coreutils and GNU tar — no registry needed.
#   usage: examples/make-busybox-archive.sh OUT.tar [REPO:TAG]
set -euo pipefail
out=${1:?usage: make-busybox-archive.sh OUT.tar [REPO:TAG]}
tag=${2:-localhost/kiln-example/busybox:latest}
busybox=${BUSYBOX:-/bin/busybox}
[ -x "$busybox" ] || { echo "needs $busybox (Debian: apt-get install busybox-static)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rootfs=$work/rootfs
mkdir -p "$rootfs"/{bin,etc,tmp,root,home/app}
chmod 1777 "$rootfs/tmp"
cp "$busybox" "$rootfs/bin/busybox"
for applet in $("$busybox" --list); do
  [ "$applet" = busybox ] || ln -s busybox "$rootfs/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$rootfs/etc/passwd"
printf 'root:x:0:\napp:x:1000:\nnogroup:x:65534:\n' >"$rootfs/etc/group"

tar -C "$rootfs" --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -cf "$work/layer.tar" .
diff_id=sha256:$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
cat >"$work/config.json" <<JSON
{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["/bin/sh"]},"rootfs":{"type":"layers","diff_ids":["$diff_id"]},"history":[{"created_by":"busybox-static from Debian (examples/make-busybox-archive.sh)"}]}
JSON
cat >"$work/manifest.json" <<JSON
[{"Config":"config.json","RepoTags":["$tag"],"Layers":["layer.tar"]}]
JSON
tar -C "$work" --owner=0 --group=0 --numeric-owner -cf "$out" manifest.json config.json layer.tar
echo "$out"
