// A real three-node Docker Swarm for one test file (scripts/swarm-cluster.sh): brought up in
// `before`, torn down in `after` whatever the tests did, with helpers to reach the manager and
// the nodes and to lose a worker and bring it back. Each file gets its own prefix, subnet and
// directory, so files running side by side (and a developer's own cluster) do not meet.

import { execFile, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import Docker from 'dockerode';

const run = promisify(execFile);

const Script = resolve(fileURLToPath(import.meta.url), '../../../../scripts/swarm-cluster.sh');

/** Why a Swarm cannot be brought up here, or undefined when it can (root, dockerd, ip). */
export function swarmMissing(): string | undefined {
  if (process.getuid?.() !== 0) return 'the Swarm tests need root (network namespaces, dockerd)';
  for (const tool of ['dockerd', 'ip', 'nsenter', 'unshare', 'pgrep']) {
    const r = spawnSync('sh', ['-c', `command -v ${tool}`]);
    if (r.status !== 0) return `${tool} is not installed (scripts/test-setup.d/swarm.sh)`;
  }
  return undefined;
}

export interface SwarmNode {
  /** 1 (the manager), 2 (labelled pool=b) or 3. */
  number: number;
  /** Its hostname, as `docker node ls` shows it. */
  name: string;
  /** Its Swarm node id. */
  id: string;
  /** `unix:///…/docker.sock` of its own dockerd. */
  host: string;
}

export interface SwarmClusterOptions {
  /** 2-8 lowercase letters or digits, unique among the clusters on the machine. */
  prefix: string;
  /** The nodes' /24, as three octets (`10.203.7`). */
  subnet: string;
  /** The nodes pull a task's image (no DOCKER_SERVICE_PREFER_OFFLINE_IMAGE); default: they never do. */
  nodePulls?: boolean;
  /** Registries (host:port) the nodes reach over plain HTTP (dockerd --insecure-registry). */
  insecureRegistries?: string[];
}

export class SwarmCluster {
  readonly prefix: string;
  readonly subnet: string;
  readonly dir: string;
  nodes: SwarmNode[] = [];
  private readonly opts: SwarmClusterOptions;

  constructor(opts: SwarmClusterOptions) {
    this.opts = opts;
    this.prefix = opts.prefix;
    this.subnet = opts.subnet;
    this.dir = `/tmp/${opts.prefix}`;
  }

  private env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      SWARM_PREFIX: this.prefix,
      SWARM_SUBNET: this.subnet,
      SWARM_DIR: this.dir,
      SWARM_NODE_PULLS: this.opts.nodePulls === true ? '1' : '0',
      SWARM_INSECURE_REGISTRIES: (this.opts.insecureRegistries ?? []).join(' '),
    };
  }

  /** Node n's address on the cluster's network. */
  address(n: number): string {
    return `${this.subnet}.1${n}`;
  }

  /** Node n's network namespace (for `nsenter --net=`). */
  netns(n: number): string {
    return `/var/run/netns/${this.prefix}n${n}`;
  }

  /** A dockerode client of node n's own dockerd. */
  nodeEngine(n: number): Docker {
    return new Docker({ socketPath: `${this.dir}/n${n}/docker.sock` });
  }

  private async script(...args: string[]): Promise<string> {
    const { stdout } = await run('bash', [Script, ...args], {
      env: this.env(),
      maxBuffer: 1 << 20,
      timeout: 180_000,
    });
    return stdout;
  }

  /** The manager's engine address, for DOCKER_HOST or dockerode. */
  get managerHost(): string {
    return `unix://${this.dir}/n1/docker.sock`;
  }

  /** A dockerode client of the manager. */
  manager(): Docker {
    return new Docker({ socketPath: `${this.dir}/n1/docker.sock` });
  }

  node(n: number): SwarmNode {
    const node = this.nodes.find((x) => x.number === n);
    if (!node) throw new Error(`no node ${n} in the cluster ${this.prefix}`);
    return node;
  }

  nodeByName(name: string): SwarmNode | undefined {
    return this.nodes.find((x) => x.name === name);
  }

  async up(): Promise<void> {
    await this.script('up');
    const list = await this.manager().listNodes();
    this.nodes = [1, 2, 3].map((n) => {
      const name = `${this.prefix}n${n}`;
      const found = list.find((x) => x.Description?.Hostname === name);
      if (!found?.ID) throw new Error(`node ${name} is not in the swarm`);
      return { number: n, name, id: found.ID, host: `unix://${this.dir}/n${n}/docker.sock` };
    });
  }

  async down(): Promise<void> {
    await this.script('down');
  }

  /** Kills node n's dockerd and containers at once, as a machine that is lost. */
  async stopNode(n: number): Promise<void> {
    await this.script('stop-node', String(n));
  }

  /** Starts node n's dockerd again; it rejoins the swarm with its state. */
  async startNode(n: number): Promise<void> {
    await this.script('start-node', String(n));
  }

  /** Waits until the manager sees node n in `state` (down after ≈15 s of silence). */
  async waitForNodeState(n: number, state: 'ready' | 'down', timeoutMs = 60_000): Promise<void> {
    const id = this.node(n).id;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const info = (await this.manager().getNode(id).inspect()) as { Status?: { State?: string } };
      if (info.Status?.State === state) return;
      if (Date.now() > deadline) throw new Error(`node ${n} is not ${state} after ${timeoutMs / 1000}s`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/**
 * One cluster for the calling test file: up before its tests, down after them even when they
 * failed. Without root or the tools, `skip` says why and the file's tests skip themselves.
 */
export function useSwarmCluster(opts: SwarmClusterOptions): {
  cluster: SwarmCluster;
  skip: string | undefined;
} {
  const cluster = new SwarmCluster(opts);
  const skip = swarmMissing();
  if (!skip) {
    before(() => cluster.up(), { timeout: 240_000 });
    after(() => cluster.down(), { timeout: 120_000 });
  }
  return { cluster, skip };
}
