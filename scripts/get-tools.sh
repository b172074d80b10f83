#!/usr/bin/env bash
# Fetch prometheus, promtool, alertmanager, amtool and the docker compose v2 CLI plugin from
# Debian's archive into tools/ (gitignored) WITHOUT touching the system's apt configuration,
# apt state or installed packages:
#   private sources.list + lists/cache under tools/.apt  ->  apt-get download  ->  dpkg -x into
#   tools/root  ->  links (one wrapper) in tools/bin, upstream versions in tools/VERSIONS.
# The Debian mirror is read from the system's apt sources; no mirror host is written in here.
#
# Usage: bash scripts/get-tools.sh [--force]      (works from any cwd)
# Env:   DEBIAN_MIRROR=<uri>    use this Debian mirror instead of the one found in /etc/apt
#        DEBIAN_KEYRING=<file>  verify Release files with this keyring (default: the system's)
#        GET_TOOLS_FORCE=1      same as --force: re-fetch even if tools/bin is already current
set -Eeuo pipefail

# --- Pins ---------------------------------------------------------------------------------
# Exact Debian package versions last verified (suite forky). If the archive no longer has
# one, we take what the preferred suite (else the fallback suite) has and warn, not fail.
PREFERRED_SUITE=forky  # Debian testing: Prometheus 3.x LTS, Alertmanager 0.3x
FALLBACK_SUITE=trixie  # Debian 13:      Prometheus 2.53.3, Alertmanager 0.28.1
PROMETHEUS_DEB_VERSION=3.5.3+ds1-6   # packages prometheus + promtool (one source package)
ALERTMANAGER_DEB_VERSION=0.33.1-5    # package prometheus-alertmanager (ships amtool too)
DOCKER_COMPOSE_DEB_VERSION=2.40.3-3  # package docker-compose (compose v2 CLI plugin)

# --- Paths (resolved from this script, so any cwd works) -----------------------------------
REPO_ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
TOOLS=$REPO_ROOT/tools
BIN=$TOOLS/bin
APT_DIR=$TOOLS/.apt
TOOL_NAMES=(prometheus promtool alertmanager amtool docker-compose)
# Debian patches alertmanager to read its default templates from this absolute path (below).
AM_SHARE=/usr/share/prometheus/alertmanager
AM_FD=9

log() { printf 'get-tools: %s\n' "$*" >&2; }
warn() { printf 'get-tools: WARNING: %s\n' "$*" >&2; }
die() {
  printf 'get-tools: ERROR: %s\n' "$*" >&2
  exit 1
}
trap 'die "unexpected failure at line $LINENO: $BASH_COMMAND"' ERR

FORCE=${GET_TOOLS_FORCE:-0}
for arg in "$@"; do
  case $arg in
  --force) FORCE=1 ;;
  -h | --help)
    sed -n '2,12p' "${BASH_SOURCE[0]}"
    exit 0
    ;;
  *) die "unknown argument: $arg (try --help)" ;;
  esac
done

for cmd in apt-get apt-cache dpkg dpkg-deb perl awk; do
  command -v "$cmd" >/dev/null || die "'$cmd' is required (this script needs a Debian-like system with apt and dpkg)"
done

# Prints the upstream version of tools/bin/$1 (e.g. 3.5.3); fails if it doesn't run.
tool_version() {
  local out
  if [[ $1 == docker-compose ]]; then
    out=$("$BIN/$1" version 2>&1) || return 1 # "Docker Compose version 2.40.3-3"
  else
    out=$("$BIN/$1" --version 2>&1) || return 1 # "prometheus, version 3.5.3+ds1 (branch: ...)"
  fi
  grep -oE '[0-9]+\.[0-9]+\.[0-9]+' <<<"$out" | sed -n 1p | grep .
}

ARCH=$(dpkg --print-architecture)
PINS="pins=$PROMETHEUS_DEB_VERSION,$ALERTMANAGER_DEB_VERSION,$DOCKER_COMPOSE_DEB_VERSION suites=$PREFERRED_SUITE,$FALLBACK_SUITE arch=$ARCH"

# Warm path: same pins as last time and every binary runs and reports its recorded version.
is_current() {
  [[ -f $TOOLS/.stamp && -f $TOOLS/VERSIONS ]] || return 1
  [[ $(sed -n 1p "$TOOLS/.stamp") == "$PINS" ]] || return 1
  local t v
  for t in "${TOOL_NAMES[@]}"; do
    v=$(tool_version "$t") || return 1
    grep -qxF "$t=$v" "$TOOLS/VERSIONS" || return 1
  done
}

print_versions() {
  local t
  for t in "${TOOL_NAMES[@]}"; do
    if [[ $t == docker-compose ]]; then
      printf '%-15s %s\n' "$t" "$("$BIN/$t" version 2>&1 | sed -n 1p)"
    else
      printf '%-15s %s\n' "$t" "$("$BIN/$t" --version 2>&1 | sed -n 1p)"
    fi
  done
  printf 'binaries in %s; versions recorded in %s\n' "$BIN" "$TOOLS/VERSIONS"
}

mkdir -p "$TOOLS"
# Serialise concurrent runs (e.g. parallel CI steps in one checkout).
if command -v flock >/dev/null; then
  exec 8>"$TOOLS/.lock"
  flock 8
fi

if [[ $FORCE != 1 ]] && is_current; then
  log "tools/bin is current (delete tools/ or pass --force to re-fetch)"
  sed -n '2,$p' "$TOOLS/.stamp" | grep '^warning=' | sed 's/^warning=/get-tools: WARNING: /' >&2 || true
  print_versions
  exit 0
fi

# --- Find the Debian mirror the system already uses -----------------------------------------
# Prints the first URI of a deb822 paragraph (sources.list.d/*.sources) or one-line
# "deb URI SUITE main" entry whose suite is exactly $1.
find_mirror() {
  local suite=$1 f uri
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -r $f ]] || continue
    uri=$(awk -v suite="$suite" '
      function has(list, word,   n, a, i) { n = split(list, a, /[ \t]+/); for (i = 1; i <= n; i++) if (a[i] == word) return 1; return 0 }
      BEGIN { RS = ""; FS = "\n" }
      {
        split("", f); key = ""
        for (i = 1; i <= NF; i++) {
          line = $i
          if (line ~ /^#/) continue
          if (line ~ /^[ \t]/) { if (key != "") f[key] = f[key] " " line; continue }   # folded field
          p = index(line, ":"); if (!p) continue
          key = tolower(substr(line, 1, p - 1)); f[key] = substr(line, p + 1)
        }
        if (tolower(f["enabled"]) ~ /no/) next
        if (!has(f["types"], "deb") || !has(f["suites"], suite) || !has(f["components"], "main")) next
        n = split(f["uris"], u, /[ \t]+/)
        for (i = 1; i <= n; i++) if (u[i] != "" && u[i] !~ /^cdrom:/) { print u[i]; exit }
      }' "$f")
    [[ -n $uri ]] && { echo "${uri%/}"; return 0; }
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -r $f ]] || continue
    uri=$(awk -v suite="$suite" '
      { sub(/#.*/, "") }
      $1 == "deb" {
        line = $0; gsub(/\[[^]]*\]/, " ", line); $0 = line      # drop "[ options ]"
        if ($3 != suite || $2 ~ /^cdrom:/) next
        for (i = 4; i <= NF; i++) if ($i == "main") { print $2; exit }
      }' "$f")
    [[ -n $uri ]] && { echo "${uri%/}"; return 0; }
  done
  return 1
}

CODENAME=$( (. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}") || true)
CODENAME=${CODENAME:-bookworm}
if [[ -n ${DEBIAN_MIRROR:-} ]]; then
  MIRROR=${DEBIAN_MIRROR%/}
else
  MIRROR=$(find_mirror "$CODENAME") ||
    die "no Debian mirror for suite '$CODENAME' (component main) found in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list; set DEBIAN_MIRROR=<uri of a Debian archive mirror>"
fi

# --- Private apt ------------------------------------------------------------------------------
# Only our own sources list, lists, cache and an empty dpkg status are used; /etc/apt/apt.conf.d
# (proxy settings etc.) still applies. Preferences are ignored so local pins can't interfere.
APT_OPTS=(
  -o Dir::Etc::SourceParts=/dev/null
  -o Dir::Etc::Preferences=/dev/null
  -o Dir::Etc::PreferencesParts=/dev/null
  -o Dir::State::Status="$APT_DIR/empty-status"
  -o Acquire::Languages=none
)
# As root apt would drop to user _apt, which can't write into tools/ (only a warning, but noisy).
# Integrity doesn't depend on it: every .deb is checked against the signed Release file.
[[ $EUID == 0 ]] && APT_OPTS+=(-o APT::Sandbox::User=root)

# apt_in AREA apt-get|apt-cache ARGS...  (AREA = subdirectory of tools/.apt)
apt_in() {
  local area=$APT_DIR/$1 cmd=$2
  shift 2
  "$cmd" -q "${APT_OPTS[@]}" \
    -o Dir::Etc::SourceList="$area/sources.list" \
    -o Dir::State::Lists="$area/lists" \
    -o Dir::Cache="$area/cache" "$@"
}

# setup_area AREA KEYRING SUITE...: fresh lists + a sources.list whose Release files must verify
# against KEYRING (signed-by), i.e. verification stays on.
setup_area() {
  local area=$APT_DIR/$1 keyring=$2 s
  shift 2
  [[ $keyring != *[[:space:]]* ]] || die "keyring path must not contain whitespace: $keyring"
  rm -rf "$area/lists" "$area/cache"
  mkdir -p "$area/lists/partial" "$area/cache/archives/partial"
  for s in "$@"; do echo "deb [signed-by=$keyring] $MIRROR $s main"; done >"$area/sources.list"
}

suite_ok() { compgen -G "$APT_DIR/main/lists/*_dists_${1}_InRelease" >/dev/null; }

key_problem() {
  grep -qE 'NO_PUBKEY|EXPKEYSIG|KEYEXPIRED|REVKEYSIG|not signed|could not be verified|couldn.t be verified' "$1"
}

update_main() { # KEYRING; a failing suite is tolerated here (we fall back), checked by suite_ok
  setup_area main "$1" "$PREFERRED_SUITE" "$FALLBACK_SUITE"
  apt_in main apt-get update >"$APT_DIR/update.log" 2>&1 || true
}

# If the system keyring is too old for the newer suites, get debian-archive-keyring from a suite
# it CAN verify (own release, its -updates, or the fallback suite) and retry with that keyring.
refresh_keyring() { # CURRENT_KEYRING -> prints path of the fetched keyring
  local area=$APT_DIR/keyring
  setup_area keyring "$1" "$CODENAME" "$CODENAME-updates" "$FALLBACK_SUITE" "$PREFERRED_SUITE"
  apt_in keyring apt-get update >"$area/update.log" 2>&1 || true
  rm -rf "$area/debs" "$area/root"
  mkdir -p "$area/debs"
  (cd "$area/debs" && apt_in keyring apt-get download debian-archive-keyring) >>"$area/update.log" 2>&1 || return 1
  dpkg -x "$area"/debs/debian-archive-keyring_*.deb "$area/root"
  local k=$area/root/usr/share/keyrings/debian-archive-keyring.gpg
  [[ -s $k ]] && ! cmp -s "$k" "$1" || return 1 # nothing newer than what we had
  echo "$k"
}

START=$SECONDS
mkdir -p "$APT_DIR"
: >"$APT_DIR/empty-status"
KEYRING=${DEBIAN_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}
[[ -r $KEYRING ]] || die "keyring $KEYRING not found (install debian-archive-keyring or set DEBIAN_KEYRING)"

log "fetching package lists for $PREFERRED_SUITE + $FALLBACK_SUITE from the system's Debian mirror"
update_main "$KEYRING"
if { ! suite_ok "$PREFERRED_SUITE" || ! suite_ok "$FALLBACK_SUITE"; } && key_problem "$APT_DIR/update.log"; then
  warn "$KEYRING can't verify every suite; fetching a newer debian-archive-keyring from the archive"
  if NEW_KEYRING=$(refresh_keyring "$KEYRING"); then
    KEYRING=$NEW_KEYRING
    log "retrying with $KEYRING"
    update_main "$KEYRING"
  else
    warn "no newer keyring available (see $APT_DIR/keyring/update.log)"
  fi
fi
if ! suite_ok "$PREFERRED_SUITE" && ! suite_ok "$FALLBACK_SUITE"; then
  tail -n 15 "$APT_DIR/update.log" >&2
  die "could not fetch and verify the $PREFERRED_SUITE or $FALLBACK_SUITE package lists (full log: $APT_DIR/update.log)"
fi
suite_ok "$PREFERRED_SUITE" || warn "$PREFERRED_SUITE unavailable (see $APT_DIR/update.log); using $FALLBACK_SUITE only"

# One apt-cache call for all packages (each call re-reads ~20 MB of package lists).
MADISON=$(apt_in main apt-cache madison prometheus promtool prometheus-alertmanager docker-compose 2>/dev/null || true)

# pick_version PACKAGE PINNED: the pin if the archive has it, else the newest in the preferred
# suite, else the newest in the fallback suite (the caller warns).
pick_version() {
  local pkg=$1 pin=$2 table v s
  table=$(awk -F'|' -v p="$pkg" '{ n = $1; gsub(/ /, "", n) } n == p' <<<"$MADISON")
  if awk -F'|' -v v="$pin" '{ gsub(/ /, "", $2) } $2 == v { found = 1 } END { exit !found }' <<<"$table"; then
    echo "$pin"
    return 0
  fi
  for s in "$PREFERRED_SUITE" "$FALLBACK_SUITE"; do
    v=$(awk -F'|' -v s=" $s/" 'index($3, s) { gsub(/ /, "", $2); print $2; exit }' <<<"$table")
    if [[ -n $v ]]; then
      echo "$v"
      return 0
    fi
  done
  return 1
}

WARNINGS=()
declare -A WANT=(
  [prometheus]=$PROMETHEUS_DEB_VERSION
  [promtool]=$PROMETHEUS_DEB_VERSION
  [prometheus-alertmanager]=$ALERTMANAGER_DEB_VERSION
  [docker-compose]=$DOCKER_COMPOSE_DEB_VERSION
)
SPECS=()
for pkg in prometheus promtool prometheus-alertmanager docker-compose; do
  v=$(pick_version "$pkg" "${WANT[$pkg]}") ||
    die "package $pkg is in neither $PREFERRED_SUITE nor $FALLBACK_SUITE on $MIRROR"
  if [[ $v != "${WANT[$pkg]}" ]]; then
    WARNINGS+=("$pkg ${WANT[$pkg]} is not available (archive moved on, or $PREFERRED_SUITE unreachable); got $v instead - update the pin in scripts/get-tools.sh")
    warn "${WARNINGS[-1]}"
  fi
  SPECS+=("$pkg=$v")
done

log "downloading ${SPECS[*]}"
rm -rf "$APT_DIR/debs"
mkdir -p "$APT_DIR/debs"
if ! (cd "$APT_DIR/debs" && apt_in main apt-get download "${SPECS[@]}") >"$APT_DIR/download.log" 2>&1; then
  tail -n 15 "$APT_DIR/download.log" >&2
  die "apt-get download failed (full log: $APT_DIR/download.log)"
fi

# --- Unpack into tools/root (built aside, then swapped in) ------------------------------------
# No maintainer scripts run and no dependency is installed: these are Go binaries that only need
# libc (Depends: libc6 >= 2.34, bookworm has 2.36). Alertmanager's templates are handled below.
NEW_ROOT=$TOOLS/root.new
rm -rf "$NEW_ROOT"
for deb in "$APT_DIR"/debs/*.deb; do dpkg -x "$deb" "$NEW_ROOT"; done
for f in usr/bin/prometheus usr/bin/promtool usr/bin/prometheus-alertmanager usr/bin/amtool \
  usr/libexec/docker/cli-plugins/docker-compose; do
  [[ -x $NEW_ROOT/$f ]] || die "expected /$f in the downloaded packages (check with: dpkg -c $APT_DIR/debs/*.deb)"
done

# Debian's alertmanager loads default.tmpl/email.tmpl from the hard-coded $AM_SHARE (upstream
# embeds them) and exits without them. We must not write to /usr/share, so we rewrite that
# string in our copy to the same-length "/proc/self/fd/9/./././..." and the tools/bin wrapper
# opens the extracted directory as fd 9 (Linux /proc magic link -> that directory).
AM_BIN=$NEW_ROOT/usr/bin/prometheus-alertmanager
AM_PATCHED=0
if grep -qaF "$AM_SHARE" "$AM_BIN"; then
  fd_path=/proc/self/fd/$AM_FD
  while ((${#fd_path} < ${#AM_SHARE})); do
    if ((${#AM_SHARE} - ${#fd_path} >= 2)); then fd_path+=/.; else fd_path+=/; fi
  done
  size_before=$(stat -c %s "$AM_BIN")
  FROM=$AM_SHARE TO=$fd_path perl -0777 -pi -e 's/\Q$ENV{FROM}\E/$ENV{TO}/g' "$AM_BIN"
  [[ $(stat -c %s "$AM_BIN") == "$size_before" ]] && ! grep -qaF "$AM_SHARE" "$AM_BIN" ||
    die "patching the template path in prometheus-alertmanager failed"
  [[ -f $NEW_ROOT$AM_SHARE/default.tmpl ]] || die "$AM_SHARE/default.tmpl missing from prometheus-alertmanager"
  AM_PATCHED=1
fi

NEW_BIN=$TOOLS/bin.new
rm -rf "$NEW_BIN"
mkdir -p "$NEW_BIN"
ln -s ../root/usr/bin/prometheus "$NEW_BIN/prometheus"
ln -s ../root/usr/bin/promtool "$NEW_BIN/promtool"
ln -s ../root/usr/bin/amtool "$NEW_BIN/amtool"
# The compose v2 plugin also works standalone when called as docker-compose ("docker-compose config").
ln -s ../root/usr/libexec/docker/cli-plugins/docker-compose "$NEW_BIN/docker-compose"
if ((AM_PATCHED)); then
  cat >"$NEW_BIN/alertmanager" <<EOF
#!/bin/sh
# Generated by scripts/get-tools.sh: this Debian alertmanager build reads its default templates
# via /proc/self/fd/$AM_FD (patched from $AM_SHARE), so open the extracted copy as fd $AM_FD.
here=\$(dirname "\$(readlink -f "\$0")")
exec $AM_FD<"\$here/../root$AM_SHARE" || exit 1
exec "\$here/../root/usr/bin/prometheus-alertmanager" "\$@"
EOF
  chmod +x "$NEW_BIN/alertmanager"
else
  ln -s ../root/usr/bin/prometheus-alertmanager "$NEW_BIN/alertmanager"
fi

rm -rf "$TOOLS/root" "$BIN"
mv "$NEW_ROOT" "$TOOLS/root"
mv "$NEW_BIN" "$BIN"

# --- Verify the binaries actually work --------------------------------------------------------
declare -A VER=()
for t in "${TOOL_NAMES[@]}"; do
  VER[$t]=$(tool_version "$t") || die "tools/bin/$t does not run: $("$BIN/$t" --version 2>&1 | tail -n 3)"
done

SMOKE=$(mktemp -d)
trap 'rm -rf "$SMOKE"' EXIT
# Alertmanager must get past loading its templates (port 0 = any free port, no clustering).
printf 'route:\n  receiver: "null"\nreceivers:\n  - name: "null"\n' >"$SMOKE/am.yml"
"$BIN/alertmanager" --config.file="$SMOKE/am.yml" --storage.path="$SMOKE/am-data" \
  --web.listen-address=127.0.0.1:0 --cluster.listen-address= >"$SMOKE/am.log" 2>&1 &
am_pid=$!
for _ in $(seq 50); do
  grep -q 'Listening on' "$SMOKE/am.log" && break
  kill -0 "$am_pid" 2>/dev/null || break
  sleep 0.2
done
sleep 0.3 # a template error is logged right after start-up
am_ok=0
kill -0 "$am_pid" 2>/dev/null && grep -q 'Listening on' "$SMOKE/am.log" && ! grep -q 'level=ERROR' "$SMOKE/am.log" && am_ok=1
kill "$am_pid" 2>/dev/null || true
wait "$am_pid" 2>/dev/null || true
((am_ok)) || die "alertmanager failed to start: $(tail -n 3 "$SMOKE/am.log")"
# docker-compose must be able to parse a compose file without a docker daemon.
printf 'services:\n  smoke:\n    image: busybox\n' >"$SMOKE/compose.yaml"
"$BIN/docker-compose" -f "$SMOKE/compose.yaml" config -q ||
  die "tools/bin/docker-compose config failed"

# --- Record versions --------------------------------------------------------------------------
# Upstream versions (for pinning image tags in the compose file), one name=version per line.
for t in "${TOOL_NAMES[@]}"; do echo "$t=${VER[$t]}"; done >"$TOOLS/VERSIONS"
{
  echo "$PINS"
  printf 'deb:%s\n' "${SPECS[@]}"
  for w in "${WARNINGS[@]}"; do echo "warning=$w"; done
} >"$TOOLS/.stamp"
[[ ${VER[prometheus]} == "${VER[promtool]}" ]] || warn "prometheus ${VER[prometheus]} != promtool ${VER[promtool]}"

# The .debs and package lists are only needed for the next cold run; free ~90 MB.
rm -rf "$APT_DIR/debs" "$APT_DIR"/*/lists "$APT_DIR"/*/cache

log "done in $((SECONDS - START))s"
print_versions
