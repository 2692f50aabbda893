// The README's "Running on a Swarm cluster" table is SwarmRules (src/runtime/swarm/swarm-support.ts)
// rendered: a rule changed in one place and not the other fails here, with the table to paste.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SwarmRules, type SwarmSupport } from '../../../src/runtime/swarm/swarm-support.js';

const ROOT = resolve(import.meta.dirname, '../../../..');
const BEGIN =
  '<!-- swarm-support: generated from SwarmRules, checked by test/unit/docs/swarm-support-readme.test.ts -->';
const END = '<!-- swarm-support end -->';
const ORDER: SwarmSupport[] = ['honoured', 'approximated', 'ignored', 'refused'];

/** The table as the README shows it: by support, in the rules' order within each. */
export function swarmSupportTable(): string {
  const rows = Object.values(SwarmRules)
    .map((r, i) => ({ ...r, i }))
    .sort((a, b) => ORDER.indexOf(a.support) - ORDER.indexOf(b.support) || a.i - b.i)
    .map((r) => `| ${r.field} | ${r.support} | ${r.note.replace(/\|/g, '\\|')} |`);
  return ['| field | on Swarm | how, or why |', '|---|---|---|', ...rows].join('\n');
}

describe('README: Running on a Swarm cluster', () => {
  it('shows SwarmRules as they are', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const start = readme.indexOf(BEGIN);
    const end = readme.indexOf(END);
    assert.ok(start >= 0 && end > start, `README.md lacks the markers ${BEGIN} ... ${END}`);
    const shown = readme.slice(start + BEGIN.length, end).trim();
    assert.equal(shown, swarmSupportTable(), `paste between the markers:\n${swarmSupportTable()}`);
  });
});
