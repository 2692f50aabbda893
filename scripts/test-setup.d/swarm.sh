#!/usr/bin/env bash
# The tools scripts/swarm-cluster.sh needs for the Swarm tests' three-node cluster (network
# namespaces, nsenter/unshare, pgrep); dockerd itself comes with scripts/setup.sh. Starts nothing:
# each Swarm test file brings its cluster up and down (test/support/swarm.ts).
# Where they cannot be installed (not root, not Debian), the Swarm run is skipped with a reason.
set -euo pipefail

log() { printf 'test-setup swarm: %s\n' "$*" >&2; }

PACKAGES=(iproute2 util-linux procps)

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  log "${missing[*]} missing and this is not root on Debian: the Swarm tests will be skipped"
  exit 0
fi
log "installing ${missing[*]} (apt-get)"
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
