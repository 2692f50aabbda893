// Real brokers for the work-queue samples: a user-defined Docker network per test group, RabbitMQ
// or Redis on it under the Service name the samples use (a network alias, so runs on the same
// engine do not share a container name), the queue filled as samples/brokers/README.md shows, and
// the broker's own view of the queue. The images come from scripts/test-setup.d/brokers.sh.

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const Images = {
  rabbitmq: 'tjob-samples/rabbitmq:v1',
  amqpTools: 'tjob-samples/amqp-tools:v1',
  redis: 'tjob-samples/redis:v1',
} as const;

export const ITEMS = ['apple', 'banana', 'cherry', 'date', 'fig', 'grape', 'lemon', 'melon'];

export async function docker(...args: string[]): Promise<string> {
  const { stdout } = await run('docker', args, { maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

/** Fails (does not skip) when the set-up has not built the images: the tests would prove nothing. */
export async function requireImages(images: string[]): Promise<void> {
  for (const image of images) {
    try {
      await docker('image', 'inspect', image);
    } catch {
      throw new Error(`${image} is missing: run scripts/test-setup.d/brokers.sh (npm test does)`);
    }
  }
}

export function uniqueName(what: string): string {
  return `tjob-it-${what}-${randomBytes(4).toString('hex')}`;
}

/** A user-defined network, and what runs on it, removed by `remove()` (containers first). */
export class TestNetwork {
  readonly name = uniqueName('net');
  private readonly containers: string[] = [];

  async create(): Promise<this> {
    await docker('network', 'create', this.name);
    return this;
  }

  /** Starts IMAGE detached on the network as NAME (and ALIAS, when given). */
  async startContainer(image: string, alias?: string, ...command: string[]): Promise<string> {
    const name = uniqueName(alias ?? 'c');
    this.containers.push(name);
    await docker(
      'run',
      '-d',
      '--name',
      name,
      '--network',
      this.name,
      ...(alias ? ['--network-alias', alias] : []),
      image,
      ...command,
    );
    return name;
  }

  /** Runs a one-off container on the network; its stdout. */
  async runOnce(image: string, ...command: string[]): Promise<string> {
    return docker('run', '--rm', '--network', this.name, image, ...command);
  }

  async remove(): Promise<void> {
    if (this.containers.length > 0) await docker('rm', '-f', ...this.containers).catch(() => '');
    await docker('network', 'rm', this.name).catch(() => '');
  }
}

/** RabbitMQ on the network as `rabbitmq-service`, as the samples' BROKER_URL names it. */
export class Rabbit {
  readonly url = 'amqp://guest:guest@rabbitmq-service:5672';
  container = '';
  constructor(private readonly net: TestNetwork) {}

  async start(): Promise<this> {
    this.container = await this.net.startContainer(Images.rabbitmq, 'rabbitmq-service');
    await this.ready(0);
    return this;
  }

  /** How many times the broker has said it is up (its log survives a stop and start). */
  async startups(): Promise<number> {
    const { stdout, stderr } = await run('docker', ['logs', this.container], { maxBuffer: 64 * 1024 * 1024 });
    return (stdout + stderr).split('Server startup complete').length - 1;
  }

  /** Waits until the broker has started `before + 1` times (it listens only once it is ready). */
  async ready(before: number, timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((await this.startups()) <= before) {
      if (Date.now() > deadline) throw new Error(`RabbitMQ did not start within ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  /** A durable queue with one persistent message per item, as samples/brokers/README.md fills it. */
  async fill(queue: string, items: string[]): Promise<void> {
    await this.net.runOnce(
      Images.amqpTools,
      'sh',
      '-c',
      `amqp-declare-queue --url=${this.url} -q ${queue} -d >/dev/null && ` +
        `for f in ${items.join(' ')}; do amqp-publish --url=${this.url} -r ${queue} -p -b $f; done`,
    );
  }

  /** The broker's count of the queue's messages: ready and delivered-but-unacknowledged. */
  async queue(name: string): Promise<{ messages: number; unacknowledged: number }> {
    const out = await docker(
      'exec',
      this.container,
      'rabbitmqctl',
      '-q',
      'list_queues',
      'name',
      'messages',
      'messages_unacknowledged',
    );
    for (const line of out.split('\n')) {
      const [n, messages, unacked] = line.trim().split(/\s+/);
      if (n === name) return { messages: Number(messages), unacknowledged: Number(unacked) };
    }
    throw new Error(`no queue ${name} in the broker:\n${out}`);
  }
}

/** Redis on the network as `redis`, as the Redis worker names it. */
export class Redis {
  container = '';
  constructor(private readonly net: TestNetwork) {}

  async start(): Promise<this> {
    this.container = await this.net.startContainer(Images.redis, 'redis');
    const deadline = Date.now() + 60_000;
    while ((await this.cli('ping').catch(() => '')).trim() !== 'PONG') {
      if (Date.now() > deadline) throw new Error('Redis did not answer within 60 s');
      await new Promise((r) => setTimeout(r, 200));
    }
    return this;
  }

  cli(...args: string[]): Promise<string> {
    return docker('exec', this.container, 'redis-cli', ...args);
  }
}

/** The items a job's pods processed, from the `processing ITEM` lines of its logs. */
export function processedItems(logs: string): string[] {
  return [...logs.matchAll(/processing (\S+)/g)].map((m) => m[1] ?? '');
}
