#!/usr/bin/env bash
# The README's main job: on a fresh Debian 12 machine, as root, prepares everything (packages, npm
# dependencies, the compiled CLI, the unprivileged user `kilntest`) and then, AS THAT UNPRIVILEGED USER,
# runs kiln on the example in examples/hello.
set -euo pipefail
cd "$(dirname "$0")/.."
root_dir=$(pwd)

if [ "$(id -u)" -eq 0 ]; then
  bash scripts/setup-host.sh
  [ -d node_modules ] || npm ci --no-audit --no-fund
fi
npm run build --silent

# The unprivileged user must be able to read the checkout.
entry="$root_dir/dist/src/cli/main.js"
run_as=()
if [ "$(id -u)" -eq 0 ]; then
  if ! runuser -u kilntest -- test -r "$entry"; then
    copy=$(mktemp -d /tmp/kiln-example.XXXXXX)
    cp -r package.json dist node_modules examples "$copy/"
    chmod -R a+rX "$copy"
    root_dir=$copy
    entry="$copy/dist/src/cli/main.js"
  fi
  run_as=(runuser -u kilntest --)
fi

echo "==> kiln build --check examples/hello (as ${run_as[*]:-$(id -un)})"
"${run_as[@]}" node "$entry" build --check "$root_dir/examples/hello"
