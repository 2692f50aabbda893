// The files the bad-command-line cases refer to, made in os.tmpdir().

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, type FlagFiles } from './corpus.js';
import { tempDir } from '../../support/jobs.js';

export function makeFlagFiles(): FlagFiles {
  const d = tempDir('tjob-hardening-');
  const f: FlagFiles = {
    job: join(ROOT, 'samples', 'job-hello.yaml'),
    items: join(d, 'items.txt'),
    emptyItems: join(d, 'empty-items.txt'),
    emptyDir: join(d, 'empty'),
    noYamlDir: join(d, 'no-yaml'),
    binary: join(d, 'binary.yaml'),
  };
  writeFileSync(f.items, 'a\nb\n');
  writeFileSync(f.emptyItems, '\n# only a comment\n');
  mkdirSync(f.emptyDir);
  mkdirSync(f.noYamlDir);
  writeFileSync(join(f.noYamlDir, 'job.txt'), 'not yaml by name');
  writeFileSync(f.binary, Buffer.from(Array.from({ length: 1 << 16 }, (_, i) => (i * 7919) % 256)));
  return f;
}
