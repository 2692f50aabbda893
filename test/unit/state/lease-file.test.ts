// When a lease's holder is gone: by pid and start time in the reader's own pid namespace (at once,
// however old the heartbeat), by heartbeat alone for a holder of another pid namespace.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { LeaseHolder } from '../../../src/ports/state-store.js';
import { acquireLeaseFile, LEASE_RENEW_MS } from '../../../src/state/lease-file.js';
import { pidNamespace, processStartTime } from '../../../src/state/process-identity.js';
import { tempDir } from '../../support/jobs.js';

const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

function leaseAt(holder: LeaseHolder): string {
  const path = join(tempDir('tjob-lease-'), 'lease.json');
  writeFileSync(path, JSON.stringify(holder));
  return path;
}

async function take(path: string): Promise<'taken' | LeaseHolder> {
  const got = await acquireLeaseFile(path, 'test', 'the test lease');
  if ('renew' in got) {
    await got.release();
    return 'taken';
  }
  return got;
}

const NO_SUCH_PID = 2 ** 22 + 17; // above Linux's pid_max: no process has it

describe('lease holders', () => {
  it('of another pid namespace: alive while their heartbeat is fresh, gone once it is stale', async () => {
    const other = { pid: NO_SUCH_PID, processStart: '42', command: 'tjob run', pidNamespace: 'pid:[1]' };
    const fresh = await take(leaseAt({ ...other, heartbeat: ago(LEASE_RENEW_MS) }));
    assert.notEqual(fresh, 'taken', 'a live holder in a container keeps its lease');
    assert.equal(await take(leaseAt({ ...other, heartbeat: ago(3 * LEASE_RENEW_MS + 1000) })), 'taken');
  });

  it('of this pid namespace: a dead pid is gone at once, a live one stays however old its heartbeat', async () => {
    const ns = pidNamespace();
    const here = ns === undefined ? {} : { pidNamespace: ns };
    const dead = { pid: NO_SUCH_PID, processStart: '42', command: 'tjob run', heartbeat: ago(0), ...here };
    assert.equal(await take(leaseAt(dead)), 'taken', 'a crashed holder is taken over without waiting');
    // A stopped process (Ctrl-Z) renews nothing, and still drives its job when it continues.
    const stopped = {
      pid: process.ppid,
      processStart: processStartTime(process.ppid) ?? '',
      command: 'tjob run',
      heartbeat: ago(3_600_000),
      ...here,
    };
    assert.notEqual(await take(leaseAt(stopped)), 'taken');
    // A lease written by an older tjob (no namespace) is judged by pid as before.
    const { pidNamespace: _, ...old } = stopped;
    assert.notEqual(await take(leaseAt(old)), 'taken');
    assert.equal(await take(leaseAt({ ...dead, pidNamespace: undefined })), 'taken');
  });

  it('a tjob in a real other pid namespace keeps its lease against this one', async (t) => {
    if (spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true']).status !== 0)
      return t.skip('unshare --pid needs root (CAP_SYS_ADMIN)');
    const path = join(tempDir('tjob-lease-'), 'lease.json');
    const module = resolve(import.meta.dirname, '../../../src/state/lease-file.js');
    const script = `const { acquireLeaseFile } = await import(${JSON.stringify(module)});
      const got = await acquireLeaseFile(${JSON.stringify(path)}, 'contained', 'x');
      console.log('renew' in got ? 'held ' + process.pid : 'refused');
      setInterval(() => got.renew(), 1000);
      setTimeout(() => process.exit(0), 60000).unref();`;
    const child = spawn(
      'unshare',
      [
        '--pid',
        '--fork',
        '--kill-child',
        '--mount-proc',
        process.execPath,
        '--input-type=module',
        '-e',
        script,
      ],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    try {
      const line = await new Promise<string>((ok, fail) => {
        child.stdout.once('data', (d: Buffer) => ok(d.toString().trim()));
        child.once('exit', (code) => fail(new Error(`the contained process exited (${code})`)));
      });
      assert.match(line, /^held \d+$/, 'the contained tjob took the lease');
      const got = await take(path);
      assert.notEqual(got, 'taken', 'its pid means another process here (or none): not taken over');
      assert.equal((got as LeaseHolder).command, 'contained');
    } finally {
      child.kill('SIGKILL');
    }
  });
});
