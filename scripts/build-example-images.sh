#!/usr/bin/env bash
# Builds the images that the Kubernetes documentation's Job and CronJob examples name
# (test/fixtures/k8s-docs/), tagged exactly as the examples name them, so that the examples run
# unchanged with no registry reachable. Each image is busybox plus one interpreter and the shared
# libraries and modules it needs, copied from this machine's Debian packages. Test-only: called
# by scripts/test.sh after scripts/setup.sh (which builds busybox:latest). Idempotent, and silent
# when every image is already there.
set -euo pipefail

log() { printf 'example-images: %s\n' "$*" >&2; }
die() { printf 'example-images: %s\n' "$*" >&2; exit 1; }

BASE=${TJOB_TEST_IMAGE:-busybox:latest}

image_present() { docker image inspect "$1" >/dev/null 2>&1; }

# Debian packages the images are made from; installed when missing (as root on Debian).
ensure_packages() {
  local missing=()
  for pkg in "$@"; do dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 || die "these images need the Debian packages ${missing[*]}: install them"
  log "installing ${missing[*]} (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# The regular files and symlinks of packages, one path a line.
package_files() {
  dpkg -L "$@" | while IFS= read -r f; do
    # A top-level symlinked directory (/bin on merged-/usr Debian) would replace the base's.
    if [ -L "$f" ] && [ -d "$f" ] && [ "$(dirname "$f")" = / ]; then continue; fi
    if [ -L "$f" ] || [ -f "$f" ]; then printf '%s\n' "$f"; fi
  done
}

# The shared libraries (and the loader) that binaries link to, one path a line.
shared_libraries() {
  ldd "$@" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | sort -u
}

# build_image TAG "BINARY..." "PACKAGE..." [EXTRA TAGS...]: the base image plus the packages'
# files and the binaries' libraries, tagged TAG (and the extra tags).
build_image() {
  local tag=$1 binaries=$2 packages=$3
  shift 3
  local want=("$tag" "$@") missing=()
  for t in "${want[@]}"; do image_present "$t" || missing+=("$t"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  image_present "$BASE" || die "$BASE is missing: run scripts/setup.sh first"
  log "building ${want[*]} from $BASE and Debian's $packages"
  # shellcheck disable=SC2086
  ensure_packages $packages
  local dir
  dir=$(mktemp -d)
  trap 'rm -rf "$dir"' RETURN
  mkdir "$dir/rootfs"
  # shellcheck disable=SC2086
  package_files $packages >"$dir/files"
  tar -cf - -T "$dir/files" 2>/dev/null | tar -xf - -C "$dir/rootfs"
  # Libraries by their real content (/lib is a symlink on merged-/usr Debian; the base has none).
  # shellcheck disable=SC2086
  shared_libraries $binaries | tar -chf - -T - 2>/dev/null | tar -xf - -C "$dir/rootfs"
  cat >"$dir/Dockerfile" <<DOCKERFILE
FROM $BASE
COPY rootfs/ /
DOCKERFILE
  local out
  out=$(DOCKER_BUILDKIT=0 docker build -q -t "$tag" "$dir" 2>&1) || die "building $tag failed: $out"
  for t in "$@"; do docker tag "$tag" "$t"; done
}

# busybox:1.28 (the CronJob and the job template examples): the local busybox under that tag.
if ! image_present busybox:1.28; then
  image_present "$BASE" || die "$BASE is missing: run scripts/setup.sh first"
  docker tag "$BASE" busybox:1.28
fi

# docker.io/library/bash:5 and docker.io/library/bash (the pod failure policy and Indexed job
# examples); Docker stores docker.io/library/NAME as NAME.
build_image bash:5 /usr/bin/bash bash bash:latest

# perl:5.34.0 (the pi examples: perl -Mbignum=bpi), with the core modules bignum needs, and
# Math::BigInt 1.999838: the 1.999830 of Debian's perl 5.36 dies in bignum's bpi past 1000 digits
# ("Can't use an undefined value as an ARRAY reference at Math/BigInt/Calc.pm"), where perl
# 5.34.0's 1.999818 printed the 2000 places the documentation shows.
build_image perl:5.34.0 /usr/bin/perl 'perl-base perl-modules-5.36 libmath-bigint-perl'

# python and docker.io/library/python:3 (backoff limit per index and success policy examples).
build_image python:latest /usr/bin/python3.11 'python3.11-minimal libpython3.11-minimal python3-minimal' python:3
