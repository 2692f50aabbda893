import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SecretMask } from '../../../src/output/secret-mask.js';
import { RunPrinter } from '../../../src/cli/run-printer.js';

const LINES = [
  'the password is s3cr3t-pass',
  'first-line-of-key',
  'begin first-line-of-key',
  'second-line-of-key end',
  'first-line-of-key\rsecond',
  'abcd\r',
  'abcdabcdabc',
  'xxs3cr3t-passs3cr3t-pass$&',
  '',
  'nothing here',
  '$1 $& $$',
];
const VALUES = ['s3cr3t-pass', 'first-line-of-key\nsecond-line-of-key', 'abcd\r', 'abcdabc', 'abc'];

describe('masking the lines of a chunk', () => {
  it('masks each line exactly as masking it alone does, a multi-line value included', () => {
    for (const mask of [new SecretMask(VALUES), new SecretMask([]), SecretMask.everything()]) {
      const chunk = LINES.map((l) => `${l}\n`).join('');
      assert.equal(mask.maskLines(chunk), LINES.map((l) => `${mask.mask(l)}\n`).join(''));
    }
  });

  it('tjob run prints a chunk as the same lines one by one, prefixed, masked and coloured', () => {
    const print = (color: boolean, each: boolean): string => {
      let out = '';
      const p = new RunPrinter({
        stdout: { write: (s) => ((out += s), true) },
        stderr: { write: () => true },
        colorStdout: color,
        colorStderr: false,
        live: false,
        quiet: false,
        showLogs: true,
        now: () => new Date(0),
      });
      p.setSecrets('j', VALUES);
      const at = { pod: 'j-ab$&c', container: 'main', stream: 'stdout' as const, time: 't' };
      if (each) for (const text of LINES) p.log('j', { ...at, text }, false);
      else p.logLines('j', { ...at, text: LINES.map((l) => `${l}\n`).join('') }, false);
      p.finish();
      return out;
    };
    for (const color of [false, true]) assert.equal(print(color, false), print(color, true));
    assert.ok(print(false, false).startsWith('[j-ab$&c/main] the password is ***\n'));
  });
});
