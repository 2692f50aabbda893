import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createTerminationMessageFile,
  fallsBackToLogs,
  lastLogBytes,
  readTerminationMessageFile,
  terminationMessageFile,
  withTerminationMessage,
} from '../../../../src/runtime/docker/termination-message.js';

describe('termination message (kuberuntime_container.go)', () => {
  it('the file is created empty and writable by any user; a run keeps its own file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tjob-tm-'));
    try {
      const file = terminationMessageFile(dir, 'main', 2);
      assert.equal(file, join(dir, 'termination-log', 'main-2'));
      await createTerminationMessageFile(file);
      assert.equal((await stat(file)).mode & 0o777, 0o666);
      assert.equal(await readFile(file, 'utf8'), '');
      await writeFile(file, 'bye');
      await createTerminationMessageFile(file);
      assert.equal(await readFile(file, 'utf8'), 'bye');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reads at most the last 4096 bytes; empty or missing falls back to the logs only when asked', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tjob-tm-'));
    try {
      const file = join(dir, 'f');
      await writeFile(file, 'x'.repeat(5000) + 'END');
      const long = await readTerminationMessageFile(file, true);
      assert.equal(long.message.length, 4096);
      assert.ok(long.message.endsWith('END'));
      assert.equal(long.checkLogs, false);
      await writeFile(file, '');
      assert.deepEqual(await readTerminationMessageFile(file, true), { message: '', checkLogs: true });
      assert.deepEqual(await readTerminationMessageFile(file, false), { message: '', checkLogs: false });
      assert.deepEqual(await readTerminationMessageFile(join(dir, 'none'), true), {
        message: '',
        checkLogs: true,
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('falls back only with FallbackToLogsOnError and an error exit', () => {
    const spec = { name: 'c', terminationMessagePolicy: 'FallbackToLogsOnError' as const };
    assert.equal(fallsBackToLogs(spec, { exitCode: 1, reason: 'Error' }), true);
    assert.equal(fallsBackToLogs(spec, { exitCode: 0, reason: 'Completed' }), false);
    assert.equal(fallsBackToLogs(spec, { exitCode: 128, reason: 'ContainerCannotRun' }), false);
    assert.equal(fallsBackToLogs({ name: 'c', terminationMessagePolicy: 'File' }, { exitCode: 1 }), false);
  });

  it('keeps the last 2048 bytes of the log tail', () => {
    const tail = Buffer.from('a'.repeat(3000) + 'tail\n');
    const s = lastLogBytes(tail);
    assert.equal(s.length, 2048);
    assert.ok(s.endsWith('tail\n'));
  });

  it("appends to the runtime's own message with ': '", () => {
    assert.deepEqual(withTerminationMessage({ exitCode: 1 }, 'm'), { exitCode: 1, message: 'm' });
    assert.deepEqual(withTerminationMessage({ exitCode: 1, message: 'oci' }, 'm'), {
      exitCode: 1,
      message: 'oci: m',
    });
    assert.deepEqual(withTerminationMessage({ exitCode: 1 }, ''), { exitCode: 1 });
  });
});
