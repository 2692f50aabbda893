#!/usr/bin/env bash
# A real three-node Docker Swarm on this one machine, for the Swarm runtime's tests and for trying
# tjob on a cluster. Each node is a dockerd in its own network namespace (reached with
# `nsenter --net`: `ip netns exec` remounts /sys and hides the cgroup v1 mounts dockerd needs) and
# its own UTS namespace (so `docker node ls` shows distinct hostnames), with its own data and exec
# roots, containerd and cgroup parent. The namespaces share a bridge in a fourth namespace; only
# their own addresses on it are ever contacted. Images come from this machine's engine by
# `docker save | docker load`, and every dockerd runs with DOCKER_SERVICE_PREFER_OFFLINE_IMAGE=1 so
# no task tries a pull (unless SWARM_NODE_PULLS=1: then each task pulls its image, as a node of a
# real cluster does, from a registry inside the cluster's network).
#
# Usage (as root):
#   scripts/swarm-cluster.sh up            bring the cluster up (a leftover one of that prefix first goes)
#   scripts/swarm-cluster.sh down          remove everything: processes, mounts, namespaces, cgroups, files
#   scripts/swarm-cluster.sh stop-node N   kill node N's dockerd and its containers (a machine lost)
#   scripts/swarm-cluster.sh start-node N  start node N's dockerd again (it rejoins the swarm)
#   scripts/swarm-cluster.sh env           print SWARM_MANAGER_HOST=..., SWARM_NODE<N>_HOST=...
# Settings (environment), so that several clusters can coexist:
#   SWARM_PREFIX  names of namespaces, hostnames and cgroups (default tjsw; 2-8 lowercase letters/digits)
#   SWARM_SUBNET  first three octets of the nodes' addresses, .11 .12 .13 (default 10.203.0)
#   SWARM_DIR     where the nodes keep their state and sockets (default /tmp/$SWARM_PREFIX)
#   SWARM_IMAGES  the images copied onto every node (default busybox:latest registry.k8s.io/pause:3.10)
#   SWARM_NODE_PULLS  1: the nodes pull a task's image (Swarm's default; no
#                 DOCKER_SERVICE_PREFER_OFFLINE_IMAGE), for a registry the tests run inside the
#                 cluster's network (default 0: no node ever pulls)
#   SWARM_INSECURE_REGISTRIES  registries (host:port, space-separated) the nodes reach over plain
#                 HTTP (dockerd --insecure-registry), e.g. one on the manager's address
# Node 1 is the manager; node 2 carries the label pool=b.
set -euo pipefail

P=${SWARM_PREFIX:-tjsw}
SUBNET=${SWARM_SUBNET:-10.203.0}
DIR=${SWARM_DIR:-/tmp/$P}
IMAGES=${SWARM_IMAGES:-busybox:latest registry.k8s.io/pause:3.10}
NODE_PULLS=${SWARM_NODE_PULLS:-0}
INSECURE=${SWARM_INSECURE_REGISTRIES:-}
NODES="1 2 3"

if ! [[ $P =~ ^[a-z][a-z0-9]{1,7}$ ]]; then
  echo "swarm-cluster: SWARM_PREFIX \"$P\" must be 2-8 lowercase letters or digits, starting with a letter" >&2
  exit 2
fi
if ! [[ $SUBNET =~ ^10\.[0-9]{1,3}\.[0-9]{1,3}$ ]]; then
  echo "swarm-cluster: SWARM_SUBNET \"$SUBNET\" must be three octets of a 10.x.y.0/24 network, e.g. 10.203.0" >&2
  exit 2
fi
if ! [[ $NODE_PULLS =~ ^[01]$ ]]; then
  echo "swarm-cluster: SWARM_NODE_PULLS \"$NODE_PULLS\" must be 0 or 1" >&2
  exit 2
fi
for r in $INSECURE; do
  if ! [[ $r =~ ^[A-Za-z0-9.-]+(:[0-9]{1,5})?$ ]]; then
    echo "swarm-cluster: SWARM_INSECURE_REGISTRIES entry \"$r\" must be host or host:port" >&2
    exit 2
  fi
done
case $DIR in
  /tmp/?* | /var/tmp/?* | /run/?*) ;;
  *)
    echo "swarm-cluster: SWARM_DIR \"$DIR\" must be under /tmp, /var/tmp or /run (down removes it)" >&2
    exit 2
    ;;
esac

ns() { echo "${P}n$1"; }
sock() { echo "$DIR/n$1/docker.sock"; }
D() {
  local n=$1
  shift
  docker -H "unix://$(sock "$n")" "$@"
}
log() { echo "swarm-cluster[$P]: $*" >&2; }

# The pid in a pidfile if that process is still the one we started (its command line names $DIR).
live_pid() {
  local file=$1 pid
  [ -s "$file" ] || return 1
  pid=$(cat "$file")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$DIR/" || return 1
  echo "$pid"
}

start_dockerd() {
  local i=$1 node offline=1 r insecure=""
  node=$(ns "$i")
  mkdir -p "$DIR/n$i"
  [ -f "$DIR/empty.json" ] || echo '{}' >"$DIR/empty.json"
  [ "$NODE_PULLS" = 1 ] && offline=""
  for r in $INSECURE; do insecure="$insecure --insecure-registry $r"; done
  # setsid: its own session, so the caller's terminal or test runner signals do not reach it.
  # An empty DOCKER_SERVICE_PREFER_OFFLINE_IMAGE is not "1": the node pulls (moby's
  # daemon/cluster/executor/container/controller.go Prepare).
  DOCKER_SERVICE_PREFER_OFFLINE_IMAGE=$offline setsid nsenter --net="/var/run/netns/$node" unshare --uts \
    sh -c "hostname $node; exec dockerd --config-file $DIR/empty.json --data-root $DIR/n$i/data \
      --exec-root $DIR/n$i/exec --pidfile $DIR/n$i/dockerd.pid -H unix://$(sock "$i") \
      --containerd-namespace $node --containerd-plugins-namespace ${node}p \
      --cgroup-parent /$P-n$i --bip 172.30.$i.1/24 --shutdown-timeout 2 --log-level warn$insecure" \
    >>"$DIR/n$i/dockerd.log" 2>&1 </dev/null &
  local deadline=$((SECONDS + 60))
  until D "$i" version >/dev/null 2>&1; do
    if ((SECONDS > deadline)); then
      log "node $i's dockerd did not answer within 60s; its log:"
      tail -n 20 "$DIR/n$i/dockerd.log" >&2 || true
      return 1
    fi
    sleep 0.3
  done
}

# Every process of node i: dockerd (by its pidfile), its containers (by cgroup), containerd and its
# shims (by the exec root on their command lines).
kill_node() {
  local i=$1 pid ctrl f
  if pid=$(live_pid "$DIR/n$i/dockerd.pid"); then
    kill -KILL "$pid" 2>/dev/null || true
  fi
  for ctrl in /sys/fs/cgroup/pids /sys/fs/cgroup/unified /sys/fs/cgroup; do
    [ -d "$ctrl/$P-n$i" ] || continue
    while IFS= read -r f; do
      while read -r pid; do kill -KILL "$pid" 2>/dev/null || true; done <"$f"
    done < <(find "$ctrl/$P-n$i" -name cgroup.procs 2>/dev/null)
  done
  # containerd and its shims name the exec root (-address, --config) on their command lines.
  for pid in $(pgrep -f -- "$DIR/n$i/exec/" || true); do kill -KILL "$pid" 2>/dev/null || true; done
  local deadline=$((SECONDS + 10))
  while pid=$(live_pid "$DIR/n$i/dockerd.pid") && ((SECONDS < deadline)); do sleep 0.2; done
  rm -f "$DIR/n$i/dockerd.pid"
}

remove_cgroups() {
  local ctrl d
  for ctrl in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
    for d in "$ctrl"$P-n[0-9]; do
      [ -d "$d" ] || continue
      # Deepest first: a cgroup goes only once it has no children.
      find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null || true
    done
  done
}

unmount_all() {
  local m
  # Longest paths first (nested mounts before their parents).
  while read -r m; do
    umount -l "$m" 2>/dev/null || true
  done < <(awk -v dir="$DIR/" 'index($2, dir) == 1 { print length($2) " " $2 }' /proc/self/mounts |
    sort -rn | cut -d' ' -f2-)
}

down() {
  local i
  # No graceful stop: the nodes' state goes with them, and a dockerd leaving a swarm with running
  # tasks can take its whole shutdown timeout.
  for i in $NODES; do kill_node "$i"; done
  unmount_all
  for i in $NODES; do ip netns del "$(ns "$i")" 2>/dev/null || true; done
  ip netns del "${P}br" 2>/dev/null || true
  remove_cgroups
  rm -rf "$DIR"
}

up() {
  local i token
  down
  mkdir -p "$DIR"
  ip netns add "${P}br"
  ip -n "${P}br" link set lo up
  ip -n "${P}br" link add br0 type bridge
  ip -n "${P}br" link set br0 up
  for i in $NODES; do
    ip netns add "$(ns "$i")"
    ip -n "${P}br" link add "v$i" type veth peer name eth0 netns "$(ns "$i")"
    ip -n "${P}br" link set "v$i" master br0 up
    ip -n "$(ns "$i")" link set lo up
    ip -n "$(ns "$i")" addr add "$SUBNET.1$i/24" dev eth0
    ip -n "$(ns "$i")" link set eth0 up
  done
  for i in $NODES; do start_dockerd "$i"; done
  D 1 swarm init --advertise-addr "$SUBNET.11" --listen-addr "$SUBNET.11:2377" >/dev/null
  token=$(D 1 swarm join-token -q worker)
  for i in 2 3; do
    D "$i" swarm join --token "$token" --advertise-addr "$SUBNET.1$i" --listen-addr "$SUBNET.1$i:2377" \
      "$SUBNET.11:2377" >/dev/null
  done
  # shellcheck disable=SC2086 # IMAGES is a list
  docker save -o "$DIR/images.tar" $IMAGES
  for i in $NODES; do D "$i" load -q -i "$DIR/images.tar" >/dev/null; done
  rm -f "$DIR/images.tar"
  D 1 node update --label-add pool=b "$(D 2 info -f '{{.Swarm.NodeID}}')" >/dev/null
  local deadline=$((SECONDS + 60))
  until [ "$(D 1 node ls -f role=worker --format '{{.Status}}' | grep -c Ready)" = 2 ]; do
    if ((SECONDS > deadline)); then
      log "the workers are not Ready within 60s"
      return 1
    fi
    sleep 0.3
  done
  print_env
}

print_env() {
  echo "SWARM_MANAGER_HOST=unix://$(sock 1)"
  for i in $NODES; do echo "SWARM_NODE${i}_HOST=unix://$(sock "$i")"; done
  for i in $NODES; do echo "SWARM_NODE${i}_NAME=$(ns "$i")"; done
}

if [ "$(id -u)" != 0 ]; then
  echo "swarm-cluster: needs root (network namespaces, dockerd)" >&2
  exit 2
fi
for tool in dockerd docker ip nsenter unshare setsid pgrep; do
  command -v "$tool" >/dev/null || {
    echo "swarm-cluster: \"$tool\" is missing (Debian: apt-get install docker.io iproute2 util-linux procps)" >&2
    exit 2
  }
done

case ${1:-} in
  up)
    # A failed up leaves nothing behind.
    if ! up; then
      log "up failed; removing what it made"
      down
      exit 1
    fi
    ;;
  down) down ;;
  stop-node)
    [[ ${2:-} =~ ^[123]$ ]] || { echo "swarm-cluster: stop-node takes 1, 2 or 3" >&2; exit 2; }
    kill_node "$2"
    ;;
  start-node)
    [[ ${2:-} =~ ^[123]$ ]] || { echo "swarm-cluster: start-node takes 1, 2 or 3" >&2; exit 2; }
    start_dockerd "$2"
    ;;
  env) print_env ;;
  *)
    echo "usage: swarm-cluster.sh up|down|stop-node N|start-node N|env (see the script's header)" >&2
    exit 2
    ;;
esac
