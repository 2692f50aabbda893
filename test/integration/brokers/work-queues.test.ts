// The seed's work-queue Jobs (samples/brokers/), unchanged, against real brokers on a user-defined
// network: RabbitMQ for pattern 2 (job-wq-1, one message per pod) and pattern 3 (job-wq-2, workers
// drain the queue), Redis for pattern 3's variant, and pattern 2 through a broker outage. What was
// processed is checked twice: in the pods' logs, and in the broker's own state.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FileStore } from '../../../src/state/file-store.js';
import { cleanup, getJob, line, startLine, terminalReason, workspace } from '../docs/readme-shell.js';
import {
  ITEMS,
  Images,
  Rabbit,
  Redis,
  TestNetwork,
  docker,
  processedItems,
  requireImages,
} from './broker-kit.js';

const SETUP = { timeout: 240_000 };
const T = { timeout: 240_000 };

describe('work queues on RabbitMQ', () => {
  let net: TestNetwork | undefined;
  let rabbit: Rabbit;
  before(async () => {
    await requireImages([
      Images.rabbitmq,
      Images.amqpTools,
      'tjob-samples/job-wq-1:v1',
      'tjob-samples/job-wq-2:v1',
    ]);
    net = await new TestNetwork().create();
    rabbit = await new Rabbit(net).start();
  }, SETUP);
  after(async () => {
    await net?.remove();
  });

  it('pattern 2: job-wq-1 takes one message per pod; every message consumed once, none left', T, async () => {
    await rabbit.fill('job1', ITEMS);
    const ws = workspace();
    let uid = '';
    try {
      const got = await line(`tjob run samples/brokers/job-wq-1.yaml --network ${net!.name}`, ws);
      const job = getJob('job-wq-1', ws);
      uid = job.metadata.uid ?? '';
      assert.equal(got.code, 0, got.stderr);
      assert.equal(terminalReason(job), 'CompletionsReached');
      assert.equal(job.status?.succeeded, 8);
      assert.equal(job.status?.failed ?? 0, 0);
      // Each message was handed to exactly one pod (a requeued one would be processed again)...
      assert.deepEqual(processedItems(got.stdout).sort(), ITEMS);
      // ... and acknowledged: the broker holds none, ready or unacknowledged.
      assert.deepEqual(await rabbit.queue('job1'), { messages: 0, unacknowledged: 0 });
    } finally {
      cleanup(ws, [uid]);
    }
  });

  it('pattern 3: job-wq-2 workers drain the queue and exit; the job completes', T, async () => {
    await rabbit.fill('job2', ITEMS);
    const ws = workspace();
    let uid = '';
    try {
      const got = await line(`tjob run samples/brokers/job-wq-2.yaml --network ${net!.name}`, ws);
      const job = getJob('job-wq-2', ws);
      uid = job.metadata.uid ?? '';
      assert.equal(got.code, 0, got.stderr);
      assert.equal(terminalReason(job), 'CompletionsReached');
      assert.ok((job.status?.succeeded ?? 0) >= 1);
      assert.equal(job.status?.active ?? 0, 0);
      assert.deepEqual(processedItems(got.stdout).sort(), ITEMS);
      assert.match(got.stdout, /queue empty, exiting/);
      assert.deepEqual(await rabbit.queue('job2'), { messages: 0, unacknowledged: 0 });
    } finally {
      cleanup(ws, [uid]);
    }
  });
});

describe('work queue on Redis', () => {
  let net: TestNetwork | undefined;
  let redis: Redis;
  before(async () => {
    await requireImages([Images.redis, 'tjob-samples/job-wq-2-redis:v1']);
    net = await new TestNetwork().create();
    redis = await new Redis(net).start();
  }, SETUP);
  after(async () => {
    await net?.remove();
  });

  it('pattern 3 on Redis: every item processed once, the list and its processing list empty', T, async () => {
    await redis.cli('rpush', 'job2', ...ITEMS);
    const ws = workspace();
    let uid = '';
    try {
      const got = await line(`tjob run samples/brokers/job-wq-2-redis.yaml --network ${net!.name}`, ws);
      const job = getJob('job-wq-2-redis', ws);
      uid = job.metadata.uid ?? '';
      assert.equal(got.code, 0, got.stderr);
      assert.equal(terminalReason(job), 'CompletionsReached');
      assert.deepEqual(processedItems(got.stdout).sort(), ITEMS);
      assert.equal((await redis.cli('llen', 'job2')).trim(), '0');
      assert.equal((await redis.cli('llen', 'job2:processing')).trim(), '0');
    } finally {
      cleanup(ws, [uid]);
    }
  });
});

describe('pattern 2 through a broker outage', () => {
  let net: TestNetwork | undefined;
  let rabbit: Rabbit;
  before(async () => {
    await requireImages([Images.rabbitmq, Images.amqpTools, 'tjob-samples/job-wq-1:v1']);
    net = await new TestNetwork().create();
    rabbit = await new Rabbit(net).start();
  }, SETUP);
  after(async () => {
    await net?.remove();
  });

  it(
    'the running pods fail and are restarted within backoffLimit; nothing acknowledged is processed twice',
    { timeout: 400_000 },
    async () => {
      await rabbit.fill('job1', ITEMS);
      const ws = workspace();
      let uid = '';
      try {
        // Every restart of a running pod counts toward backoffLimit (6), as on a cluster
        // (pastBackoffLimitOnFailure, pkg/controller/job/job_controller.go): the two running pods
        // fail when the broker goes, and a restart must not come (and fail) again and again while
        // the broker boots (20 s and more on a busy machine). With a 30 s base each pod fails at
        // most twice unless the broker takes over 90 s.
        const run = startLine(
          `tjob run samples/brokers/job-wq-1.yaml --network ${net!.name} --backoff 30s`,
          ws,
        );
        let seen = '';
        run.child.stdout!.on('data', (d: Buffer) => (seen += d.toString()));
        const deadline = Date.now() + 120_000;
        while (!/processing \S+/.test(seen)) {
          assert.ok(Date.now() < deadline, 'no pod took a message');
          await new Promise((r) => setTimeout(r, 100));
        }
        // Mid-work (a pod works 3 s on its message): a graceful stop, as `docker stop` of a broker.
        const startups = await rabbit.startups();
        await docker('stop', rabbit.container);
        await docker('start', rabbit.container);
        await rabbit.ready(startups);
        const got = await run.done;
        const job = getJob('job-wq-1', ws);
        uid = job.metadata.uid ?? '';
        assert.equal(got.code, 0, got.stderr);
        assert.equal(terminalReason(job), 'CompletionsReached');
        assert.equal(job.status?.succeeded, 8);
        assert.deepEqual(await rabbit.queue('job1'), { messages: 0, unacknowledged: 0 });

        // Each run of each pod, from the state directory: with restartPolicy OnFailure a pod's runs
        // before its last failed; its last succeeded, and so acknowledged its message.
        const store = new FileStore(ws.state);
        const stored = await store.loadJob('job-wq-1');
        const pods = stored!.pods.filter((p) => p.observation.phase === 'Succeeded');
        assert.equal(pods.length, 8);
        const acknowledged = new Map<string, string>(); // item -> time of its successful processing
        const unacknowledged: { item: string; time: string }[] = [];
        let restarts = 0;
        for (const pod of pods) {
          const last = pod.observation.containerStatuses[0]?.restartCount ?? 0;
          restarts += last;
          for (let run = 0; run <= last; run++) {
            for (const rec of await store.readLogs('job-wq-1', pod.name, 'c', run)) {
              const item = /^processing (\S+)$/.exec(rec.text)?.[1];
              if (item === undefined) continue;
              if (run < last) unacknowledged.push({ item, time: rec.time });
              else {
                assert.ok(!acknowledged.has(item), `${item} acknowledged twice`);
                acknowledged.set(item, rec.time);
              }
            }
          }
        }
        assert.ok(restarts >= 1, 'the outage made running pods fail');
        assert.deepEqual([...acknowledged.keys()].sort(), ITEMS, 'every message acknowledged once');
        // A message processed by a run that failed was not acknowledged: it came back, and was
        // processed again, later; an acknowledged one never came back.
        for (const u of unacknowledged) {
          const done = acknowledged.get(u.item);
          assert.ok(done !== undefined && u.time < done, `${u.item} processed after it was acknowledged`);
        }
        assert.match(got.stderr, /job\.batch\/job-wq-1 Complete \(CompletionsReached\)/);
      } finally {
        cleanup(ws, [uid]);
      }
    },
  );
});
