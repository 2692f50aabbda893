#!/usr/bin/env bash
# The registry the image-pull tests push to and pull from (test/support/registry.ts starts and
# stops it): Debian's docker-registry (the CNCF distribution registry) and apache2-utils for the
# bcrypt htpasswd file of its basic auth. Installs only what is missing; starts no daemon.
set -euo pipefail

log() { printf 'test-setup/registry: %s\n' "$*" >&2; }

missing=()
[ -x /usr/bin/docker-registry ] || missing+=(docker-registry)
command -v htpasswd >/dev/null 2>&1 || missing+=(apache2-utils)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  log "the registry tests need ${missing[*]} (Debian packages); install them, or they are skipped"
  exit 0
fi
log "installing ${missing[*]} (apt-get)"
export DEBIAN_FRONTEND=noninteractive
out=$(mktemp)
trap 'rm -f "$out"' EXIT
# Quiet unless it fails (debconf's notes go to stderr); the tests start their own registry on a
# free port, so a service the package may enable under an init system is not in their way.
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$out" 2>&1; then
  cat "$out" >&2
  exit 1
fi
