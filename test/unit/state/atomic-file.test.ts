import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { syncDir, writeFileAtomic } from '../../../src/state/atomic-file.js';
import { tempDir } from '../../support/jobs.js';

describe('atomic files', () => {
  it('concurrent directory syncs share fsyncs and every caller returns, in waves', async () => {
    const dir = tempDir();
    for (let wave = 0; wave < 3; wave++) {
      const calls = Array.from({ length: 200 }, () => syncDir(dir));
      // Calls made while a sync runs join the next one, which must also come.
      await new Promise((r) => setImmediate(r));
      calls.push(...Array.from({ length: 50 }, () => syncDir(dir)));
      await Promise.all(calls);
    }
    await syncDir(join(dir, 'missing')); // a directory that cannot be opened is not an error
  });

  it('100 files written at once in one directory are all there, whole, with no temp file left', async () => {
    const dir = tempDir();
    await Promise.all(
      Array.from({ length: 100 }, (_, i) => writeFileAtomic(join(dir, `f${i}`), `content ${i}\n`)),
    );
    assert.equal(readdirSync(dir).length, 100);
    for (let i = 0; i < 100; i++) assert.equal(readFileSync(join(dir, `f${i}`), 'utf8'), `content ${i}\n`);
  });
});
