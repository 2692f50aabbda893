import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  cpuToNanoCpus,
  memoryToBytes,
  milliValue,
  parseQuantity,
  quantityToNumber,
} from '../../../../src/runtime/docker/quantity.js';

describe('quantities', () => {
  const cpu: [string | number, number][] = [
    ['500m', 500_000_000],
    ['2', 2_000_000_000],
    [2, 2_000_000_000],
    [0.5, 500_000_000],
    ['1.5', 1_500_000_000],
    ['0.1', 100_000_000],
    ['.25', 250_000_000],
    ['1.', 1_000_000_000],
    ['100000u', 100_000_000],
    ['1n', 1],
    ['1e-3', 1_000_000],
    ['1k', 1_000_000_000_000],
  ];
  for (const [input, nano] of cpu) {
    it(`cpu ${JSON.stringify(input)} is ${nano} NanoCpus`, () => assert.equal(cpuToNanoCpus(input), nano));
  }

  const memory: [string | number, number][] = [
    ['128Mi', 128 * 1024 * 1024],
    ['1G', 1e9],
    ['1e3', 1000],
    ['1E3', 1000],
    ['1e+3', 1000],
    ['100Ki', 102400],
    ['1.5Gi', 1.5 * 1024 ** 3],
    ['1.1Gi', 1181116007], // 1181116006.4 rounded up, as Quantity.Value()
    ['1500m', 2],
    [1024, 1024],
    [1e21, 1e21],
    ['0', 0],
  ];
  for (const [input, bytes] of memory) {
    it(`memory ${JSON.stringify(input)} is ${bytes} bytes`, () => assert.equal(memoryToBytes(input), bytes));
  }

  it('is exact where floats are not', () => {
    assert.equal(milliValue('0.3'), 300n);
    assert.equal(quantityToNumber(parseQuantity('-1.5k')), -1500);
  });

  for (const bad of ['', 'abc', '1.2.3', '12Qi', '1 Mi', 'Mi', '1mi', '--1', '1e', '0x10', '1e3m', '1Mi2']) {
    it(`rejects ${JSON.stringify(bad)}`, () =>
      assert.throws(() => parseQuantity(bad), /quantities must match/));
  }
  it('rejects negative limits', () => {
    assert.throws(() => cpuToNanoCpus('-1'), /must not be negative/);
    assert.throws(() => memoryToBytes('-1Mi'), /must not be negative/);
  });
});
