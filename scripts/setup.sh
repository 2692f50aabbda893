#!/usr/bin/env bash
# Makes this machine ready for tjob's samples and tests: a Docker engine that answers, and the
# local images they use (no registry is reachable on the build machines, so images are built
# from Debian's static busybox). Idempotent, and silent when there is nothing to do.
set -euo pipefail

log() { printf 'setup: %s\n' "$*" >&2; }
die() { printf 'setup: %s\n' "$*" >&2; exit 1; }

BUSYBOX_IMAGE=${TJOB_TEST_IMAGE:-busybox:latest}
PAUSE_IMAGE=${TJOB_PAUSE_IMAGE:-registry.k8s.io/pause:3.10}
DOCKERD_LOG=${TJOB_DOCKERD_LOG:-/var/log/tjob-dockerd.log}

engine_answers() { timeout 10 docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }
is_root() { [ "$(id -u)" = 0 ]; }
is_debian() { [ -f /etc/debian_version ] && command -v apt-get >/dev/null 2>&1; }
local_engine() { [ -z "${DOCKER_HOST:-}" ] || [[ "$DOCKER_HOST" == unix://* ]]; }

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]} (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

start_dockerd() {
  log "starting dockerd in the background (log: $DOCKERD_LOG)"
  # Debian's package may have left a stale pid file from a dockerd that no longer runs.
  if [ -f /var/run/docker.pid ] && ! kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then rm -f /var/run/docker.pid; fi
  setsid nohup dockerd >>"$DOCKERD_LOG" 2>&1 </dev/null &
  for _ in $(seq 1 120); do
    engine_answers && return 0
    sleep 0.5
  done
  die "dockerd did not answer within 60 s; see $DOCKERD_LOG"
}

ensure_engine() {
  engine_answers && return 0
  if ! local_engine; then
    die "the Docker engine at DOCKER_HOST=$DOCKER_HOST does not answer; start it, or unset DOCKER_HOST to use a local one"
  fi
  if ! is_root || ! is_debian; then
    die "no Docker engine answers: install and start Docker (https://docs.docker.com/engine/install/), or run this script as root on Debian to have it done"
  fi
  apt_install docker.io busybox-static
  pgrep -x dockerd >/dev/null 2>&1 && { for _ in $(seq 1 40); do engine_answers && return 0; sleep 0.5; done; }
  start_dockerd
}

busybox_binary() {
  for candidate in /bin/busybox /usr/bin/busybox; do
    # Only a static binary works in a FROM scratch image.
    if [ -x "$candidate" ] && ! ldd "$candidate" >/dev/null 2>&1; then echo "$candidate"; return 0; fi
  done
  if is_root && is_debian; then
    apt_install busybox-static
    echo /bin/busybox
    return 0
  fi
  die "building $1 needs a static busybox: install Debian's busybox-static (or pull $1 yourself)"
}

image_present() { docker image inspect "$1" >/dev/null 2>&1; }

build_image() {
  local tag=$1 cmd=$2 dir
  image_present "$tag" && return 0
  log "building $tag from the static busybox"
  dir=$(mktemp -d)
  trap 'rm -rf "$dir"' RETURN
  cp "$(busybox_binary "$tag")" "$dir/busybox"
  cat >"$dir/Dockerfile" <<DOCKERFILE
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
RUN ["/bin/busybox", "mkdir", "-p", "/tmp", "/root", "/etc", "/usr/bin", "/usr/sbin"]
RUN ["/bin/sh", "-c", "chmod 1777 /tmp && echo 'root:x:0:0:root:/root:/bin/sh' > /etc/passwd && echo 'nobody:x:65534:65534:nobody:/:/bin/false' >> /etc/passwd && echo 'root:x:0:' > /etc/group && echo 'nogroup:x:65534:' >> /etc/group"]
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CMD $cmd
DOCKERFILE
  local out
  out=$(DOCKER_BUILDKIT=0 docker build -q -t "$tag" "$dir" 2>&1) || die "building $tag failed: $out"
}

# Tools the tests use beyond the engine: xmllint validates the JUnit reports, jq runs the
# queries people run against `-o json`, zsh and fish check the completion scripts.
ensure_test_tools() {
  local missing=()
  command -v xmllint >/dev/null 2>&1 || missing+=(libxml2-utils)
  command -v jq >/dev/null 2>&1 || missing+=(jq)
  command -v zsh >/dev/null 2>&1 || missing+=(zsh)
  command -v fish >/dev/null 2>&1 || missing+=(fish)
  [ ${#missing[@]} -eq 0 ] && return 0
  if is_root && is_debian; then
    apt_install "${missing[@]}"
  else
    log "the tests need ${missing[*]}: install them with your package manager"
  fi
}

ensure_engine
ensure_test_tools
build_image "$BUSYBOX_IMAGE" '["sh"]'
# A pause container only holds the pod's namespaces; it must exit promptly on SIGTERM.
build_image "$PAUSE_IMAGE" '["/bin/sh", "-c", "trap \"exit 0\" TERM INT; while :; do sleep 3600 & wait $!; done"]'
