#!/usr/bin/env bash
# Podman for the tests that run a subset of the real-Docker suite against Podman's Docker-compatible
# API (test/integration/podman). Installs Debian's podman and what its rootful service needs (an OCI
# runtime, conmon, netavark for the default network) when missing. Starts no daemon: the test run
# starts `podman system service` on a private socket, with private storage and its own
# containers.conf (see test/support/podman-service.ts), and stops it by pid.
# Where podman cannot be installed (not root, not Debian), the Podman run is skipped with a reason.
set -euo pipefail

log() { printf 'test-setup podman: %s\n' "$*" >&2; }

is_root() { [ "$(id -u)" = 0 ]; }
is_debian() { [ -f /etc/debian_version ] && command -v apt-get >/dev/null 2>&1; }

# crun is podman's preferred runtime; netavark and aardvark-dns give the default bridge network
# (a pod's pause container joins it); iptables is what netavark sets that network up with.
PACKAGES=(podman crun conmon netavark aardvark-dns iptables)

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! is_root || ! is_debian; then
  if command -v podman >/dev/null 2>&1; then exit 0; fi
  log "podman is not installed and this is not root on Debian: the Podman tests will be skipped"
  exit 0
fi
log "installing ${missing[*]} (apt-get)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
