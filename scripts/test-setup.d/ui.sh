#!/usr/bin/env bash
# The web view's and the metrics' tests: Debian's chromium (driven by playwright-core, which
# downloads no browser) and Debian's prometheus (with promtool). The tests start and stop their own
# Prometheus; installing the package starts none here (no init system runs in the test machines,
# and policy-rc.d refuses service starts while it installs).
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "ui.sh: ${missing[*]} missing; install them as root (apt-get install ${missing[*]})" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# No daemon may start from a package's postinst: refuse service starts while installing.
policy=/usr/sbin/policy-rc.d
own_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod +x "$policy"
  own_policy=1
fi
trap '[ "$own_policy" -eq 1 ] && rm -f "$policy"' EXIT
apt-get update -qq >/dev/null
# shellcheck disable=SC2046
apt-get install -y -qq --no-install-recommends $(printf "%s\n" "${missing[@]}" | sort -u) >/dev/null
