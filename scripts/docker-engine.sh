#!/usr/bin/env bash
# A Docker engine of the project's own: Debian's docker.io (installed if missing, as root), one
# dockerd with its own data root, exec root, pidfile and socket, so it never touches a system
# engine and its image cache survives between runs. The container tests reach it through
# DOCKER_HOST (this script prints the value).
#
#   eval "$(sudo bash scripts/docker-engine.sh start)"   # installs/starts; prints export DOCKER_HOST=...
#   sudo bash scripts/docker-engine.sh stop              # stops the dockerd of that pidfile
#   bash scripts/docker-engine.sh running                # exit 0 if it answers
#
# Settings: MARKET_DOCKER_ROOT (default /var/lib/market-exporter-docker) holds images, volumes,
# the socket, the pidfile and dockerd.log.
set -Eeuo pipefail
root=${MARKET_DOCKER_ROOT:-/var/lib/market-exporter-docker}
sock=$root/docker.sock
pidfile=$root/dockerd.pid
log() { echo "docker-engine: $*" >&2; }
die() { log "$*"; exit 1; }

running() { [[ -S $sock ]] && DOCKER_HOST=unix://$sock docker version >/dev/null 2>&1; }

install_engine() {
  command -v dockerd >/dev/null && command -v docker >/dev/null && return 0
  [[ $EUID == 0 ]] || die "dockerd is not installed; run as root to install Debian's docker.io"
  log "installing Debian's docker.io"
  apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    -o DPkg::Lock::Timeout=300 docker.io iptables >&2
}

start() {
  if running; then
    log "already running ($sock)"
  else
    install_engine
    [[ $EUID == 0 ]] || die "dockerd needs root"
    mkdir -p "$root"
    # The default bridge network stays on: testcontainers inspects it. Published ports are
    # bound to 127.0.0.1 by default (--ip), so nothing is reachable from outside the machine.
    # The exec root is kept short: containerd's socket path must stay under 108 characters.
    dockerd --data-root "$root/data" --exec-root "/run/market-exporter-docker" \
      --pidfile "$pidfile" --host "unix://$sock" --ip 127.0.0.1 \
      >>"$root/dockerd.log" 2>&1 &
    for _ in $(seq 120); do
      running && break
      kill -0 $! 2>/dev/null || die "dockerd exited: $(tail -n 5 "$root/dockerd.log")"
      sleep 0.5
    done
    running || die "dockerd did not answer within 60s: $(tail -n 5 "$root/dockerd.log")"
    log "dockerd $(DOCKER_HOST=unix://$sock docker version -f '{{.Server.Version}}') on $sock (pid $(cat "$pidfile"))"
  fi
  echo "export DOCKER_HOST=unix://$sock"
}

stop() {
  [[ -f $pidfile ]] || { log "not running (no $pidfile)"; return 0; }
  local pid
  pid=$(cat "$pidfile")
  kill -0 "$pid" 2>/dev/null || { rm -f "$pidfile"; return 0; }
  kill -TERM "$pid"
  # dockerd stops its containers (10 s grace each, in parallel) and its containerd first.
  for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || { log "stopped (pid $pid)"; return 0; }; sleep 0.5; done
  die "dockerd (pid $pid) still running after 30s"
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  running) running ;;
  *) die "usage: docker-engine.sh start|stop|running" ;;
esac
