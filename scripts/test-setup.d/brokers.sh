#!/usr/bin/env bash
# The images of the broker samples (samples/brokers/) and their tests, built from Debian's packages
# with no image registry: each is busybox plus the files of a few packages (fetched with
# `apt-get download`, cached) and the shared libraries their binaries link to (from this machine).
#
#   tjob-samples/rabbitmq:v1       rabbitmq-server on Erlang; guest may log in from the network
#   tjob-samples/amqp-tools:v1     amqp-publish, amqp-consume, amqp-get, amqp-declare-queue...
#   tjob-samples/job-wq-1:v1       pattern 2's worker: one message (amqp-consume -c 1), then exit
#   tjob-samples/job-wq-2:v1       pattern 3's worker: messages until the queue is empty
#   tjob-samples/redis:v1          redis-server and redis-cli
#   tjob-samples/job-wq-2-redis:v1 pattern 3's worker on a Redis list
#
# An image is rebuilt only when its inputs change (this script, the base image, the packages'
# versions): they are hashed into its io.tjob.test.inputs label. Idempotent and quiet when there is
# nothing to do; starts no daemon (the tests start the brokers and remove them).
set -euo pipefail

log() { printf 'brokers: %s\n' "$*" >&2; }
die() { printf 'brokers: %s\n' "$*" >&2; exit 1; }

BASE=${TJOB_TEST_IMAGE:-busybox:latest}
CACHE=${TJOB_DEB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tjob/debs}
TAG=v1
SELF=$(sha256sum "${BASH_SOURCE[0]}" | cut -c1-16)

command -v apt-get >/dev/null 2>&1 && command -v dpkg-deb >/dev/null 2>&1 ||
  die "the broker images are made from Debian packages: this needs apt-get and dpkg-deb (Debian or Ubuntu)"
docker image inspect "$BASE" >/dev/null 2>&1 || die "$BASE is missing: run scripts/setup.sh first"

# Every package's candidate version, asked of apt once (each call takes seconds): PKG=VERSION.
RABBITMQ_PACKAGES="rabbitmq-server erlang-base erlang-asn1 erlang-crypto erlang-eldap erlang-ftp erlang-inets
  erlang-mnesia erlang-os-mon erlang-parsetools erlang-public-key erlang-runtime-tools erlang-snmp erlang-ssl
  erlang-syntax-tools erlang-tftp erlang-tools erlang-xmerl"
AMQP_PACKAGES="amqp-tools librabbitmq4 libpopt0"
REDIS_PACKAGES="redis-server redis-tools libjemalloc2 liblzf1 libatomic1"
declare -A CANDIDATE
# shellcheck disable=SC2086
while IFS='=' read -r pkg ver; do CANDIDATE[$pkg]=$ver; done < <(
  apt-cache policy $RABBITMQ_PACKAGES $AMQP_PACKAGES $REDIS_PACKAGES 2>/dev/null |
    awk '/^[^ ].*:$/ { sub(/:$/, ""); p = $0 } /Candidate:/ { print p "=" $2 }'
)

# The packages' candidate versions, as PKG=VERSION words (what apt-get download fetches).
versions() {
  local pkg ver
  for pkg in "$@"; do
    ver=${CANDIDATE[$pkg]:-}
    [ -n "$ver" ] && [ "$ver" != "(none)" ] || die "no Debian package $pkg is known to apt: run apt-get update"
    printf '%s=%s\n' "$pkg" "$ver"
  done
}

# The .deb of PKG=VERSION, downloaded into the cache once.
deb_of() {
  local dir="$CACHE/${1%%=*}/${1#*=}"
  if ! compgen -G "$dir/*.deb" >/dev/null; then
    mkdir -p "$dir"
    (cd "$dir" && apt-get download -qq -o APT::Sandbox::User=root "$1" >/dev/null 2>&1) ||
      die "apt-get download $1 failed (is Debian's mirror reachable?)"
  fi
  compgen -G "$dir/*.deb" | head -n 1
}

inputs_of() { docker image inspect -f '{{ index .Config.Labels "io.tjob.test.inputs" }}' "$1" 2>/dev/null || true; }
base_id() { docker image inspect -f '{{ .Id }}' "$1"; }

# The shared libraries the ELF files under ROOT link to, that ROOT does not hold: copied from this
# machine (by their content: /lib is a symlink on merged-/usr Debian, the base has none).
add_libraries() {
  local root=$1 elfs libs missing
  elfs=$(find "$root" -type f \( -perm -u+x -o -name '*.so*' \) | while IFS= read -r f; do
    if [ "$(head -c 4 "$f" | tr -d '\0')" = $'\x7fELF' ]; then printf '%s\n' "$f"; fi
  done)
  [ -n "$elfs" ] || return 0
  local ld_path
  ld_path=$(find "$root" -type d -name 'x86_64-linux-gnu' -o -type d -name 'aarch64-linux-gnu' | paste -sd: -)
  # shellcheck disable=SC2086
  libs=$(LD_LIBRARY_PATH=$ld_path xargs ldd <<<"$elfs" 2>/dev/null |
    awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | grep -v "^$root" | sort -u || true)
  missing=$(LD_LIBRARY_PATH=$ld_path xargs ldd <<<"$elfs" 2>/dev/null | awk '/not found/ { print $1 }' | sort -u || true)
  [ -z "$missing" ] || die "these shared libraries are not on this machine: $(echo $missing): install the Debian packages that hold them"
  # shellcheck disable=SC2086
  [ -z "$libs" ] || tar -chf - $libs 2>/dev/null | tar -xf - -C "$root"
}

# build TAG FROM "PACKAGES" DIR: the image TAG from FROM plus the packages' files, the libraries
# they need and DIR's Dockerfile lines and files (DIR/Dockerfile is appended to the FROM line).
build() {
  local tag=$1 from=$2 packages=$3 dir=$4 pinned inputs
  # shellcheck disable=SC2086
  pinned=$( [ -z "$packages" ] || versions $packages)
  inputs=$(printf '%s\n%s\n%s\n' "$SELF" "$(base_id "$from")" "$pinned" | sha256sum | cut -c1-16)
  [ "$(inputs_of "$tag")" = "$inputs" ] && return 0
  log "building $tag${packages:+ from Debian packages}"
  mkdir -p "$dir/rootfs"
  local p
  for p in $pinned; do dpkg-deb -x "$(deb_of "$p")" "$dir/rootfs"; done
  # Documentation, manual pages and init scripts are no use in an image.
  rm -rf "$dir/rootfs/usr/share/doc" "$dir/rootfs/usr/share/man" "$dir/rootfs/etc/init.d" "$dir/rootfs/lib/systemd"
  add_libraries "$dir/rootfs"
  {
    printf 'FROM %s\n' "$from"
    # (Without packages no COPY: an empty layer trips the engine's legacy builder.)
    [ -z "$packages" ] || printf 'COPY rootfs/ /\n'
    cat "$dir/Dockerfile"
    printf 'LABEL io.tjob.test.inputs=%s\n' "$inputs"
  } >"$dir/Dockerfile.full"
  local out
  out=$(DOCKER_BUILDKIT=0 docker build -q -f "$dir/Dockerfile.full" -t "$tag" "$dir" 2>&1) || die "building $tag failed: $out"
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
step() { mkdir -p "$work/$1/rootfs"; cat >"$work/$1/Dockerfile"; }
file() { mkdir -p "$(dirname "$work/$1")"; cat >"$work/$1"; chmod "${2:-644}" "$work/$1"; }

# ---- RabbitMQ ---------------------------------------------------------------------------------
# The broker runs as root in the foreground (rabbitmq-server stops gracefully on SIGTERM: docker
# stop), logs to stdout, and lets guest log in from other containers: `loopback_users = none`, as
# the official image's configuration does.
step rabbitmq <<'EOF'
ENV HOME=/var/lib/rabbitmq PATH=/usr/lib/rabbitmq/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin RABBITMQ_LOGS=- LANG=C.UTF-8
WORKDIR /var/lib/rabbitmq
EXPOSE 5672
CMD ["rabbitmq-server"]
EOF
file rabbitmq/rootfs/etc/rabbitmq/rabbitmq.conf <<'EOF'
loopback_users = none
EOF
mkdir -p "$work/rabbitmq/rootfs/var/lib/rabbitmq" "$work/rabbitmq/rootfs/var/log/rabbitmq"
build "tjob-samples/rabbitmq:$TAG" "$BASE" "$RABBITMQ_PACKAGES" "$work/rabbitmq"

step amqp-tools <<'EOF'
CMD ["sh"]
EOF
build "tjob-samples/amqp-tools:$TAG" "$BASE" "$AMQP_PACKAGES" "$work/amqp-tools"

# ---- the RabbitMQ workers ---------------------------------------------------------------------
# The work on one item: its text on stdin (as amqp-consume and the loops below give it), a line
# in the pod's log, and a while of work.
file process-item <<'EOF' 755
#!/bin/sh
item=$(cat)
echo "processing $item"
sleep "${WORK_SECONDS:-3}"
EOF
# Pattern 2, as the Kubernetes docs' job-wq-1 image: take ONE message from $QUEUE at $BROKER_URL,
# run process-item on it, and acknowledge it only when that succeeded (amqp-consume -c 1).
step job-wq-1 <<'EOF'
COPY process-item /usr/local/bin/process-item
CMD exec amqp-consume --url="$BROKER_URL" -q "$QUEUE" -c 1 process-item
EOF
cp "$work/process-item" "$work/job-wq-1/"
build "tjob-samples/job-wq-1:$TAG" "tjob-samples/amqp-tools:$TAG" "" "$work/job-wq-1"

# Pattern 3: take messages until the queue is empty (amqp-get exits 2 then), then exit 0.
# amqp-get acknowledges a message as it takes it: one whose worker dies mid-work is lost, where
# pattern 2's amqp-consume would have it delivered again.
file job-wq-2/drain-queue <<'EOF' 755
#!/bin/sh
while :; do
  amqp-get --url="$BROKER_URL" -q "$QUEUE" >/tmp/item
  status=$?
  if [ "$status" -eq 2 ]; then echo "queue empty, exiting"; exit 0; fi
  [ "$status" -eq 0 ] || exit "$status"
  process-item </tmp/item
done
EOF
step job-wq-2 <<'EOF'
COPY process-item drain-queue /usr/local/bin/
ENV WORK_SECONDS=1
CMD ["drain-queue"]
EOF
cp "$work/process-item" "$work/job-wq-2/"
build "tjob-samples/job-wq-2:$TAG" "tjob-samples/amqp-tools:$TAG" "" "$work/job-wq-2"

# ---- Redis ------------------------------------------------------------------------------------
# Debian's redis-tools holds the server's binary and redis-cli, redis-server its name. No persistence, no protected mode:
# other containers of the network are its clients.
step redis <<'EOF'
WORKDIR /data
EXPOSE 6379
CMD ["redis-server", "--protected-mode", "no", "--save", "", "--appendonly", "no"]
EOF
build "tjob-samples/redis:$TAG" "$BASE" "$REDIS_PACKAGES" "$work/redis"

# Pattern 3 on a Redis list, as the Kubernetes docs' job-wq-2 worker (rediswq.py): an item is moved
# atomically from the list to LIST:processing (LMOVE), worked on, then removed from there; the
# worker exits 0 once the list is empty. The broker is the Service `redis`, the list `job2`.
file job-wq-2-redis/redis-worker <<'EOF' 755
#!/bin/sh
host=${REDIS_HOST:-redis}
queue=${QUEUE:-job2}
while :; do
  item=$(redis-cli -h "$host" --raw lmove "$queue" "$queue:processing" left right) || exit 1
  if [ -z "$item" ]; then echo "queue empty, exiting"; exit 0; fi
  echo "$item" | process-item
  redis-cli -h "$host" lrem "$queue:processing" 1 "$item" >/dev/null || exit 1
done
EOF
step job-wq-2-redis <<'EOF'
COPY process-item redis-worker /usr/local/bin/
ENV WORK_SECONDS=1
CMD ["redis-worker"]
EOF
cp "$work/process-item" "$work/job-wq-2-redis/"
build "tjob-samples/job-wq-2-redis:$TAG" "tjob-samples/redis:$TAG" "" "$work/job-wq-2-redis"
