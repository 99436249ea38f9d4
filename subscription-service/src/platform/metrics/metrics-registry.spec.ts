import { Counter } from 'prom-client';
import { SqlTransaction } from '../database/database';
import { boundedLabel, countAfterCommit, defineCounter, labelCombinations, PROCESS_METRICS } from './metrics-registry';

/** A transaction double that only keeps its onFinish callbacks; `finish` ends it. */
function fakeTransaction(): { tx: SqlTransaction; finish: (committed: boolean) => void } {
  const callbacks: ((committed: boolean) => void)[] = [];
  const tx = {
    query: () => Promise.resolve([]),
    execute: () => Promise.resolve(0),
    onFinish: (callback: (committed: boolean) => void) => callbacks.push(callback),
  } as SqlTransaction;
  return { tx, finish: (committed) => callbacks.forEach((callback) => callback(committed)) };
}

async function valueOf(counter: Counter<string>, labels: Record<string, string>): Promise<number | undefined> {
  const { values } = await counter.get();
  return values.find((value) => Object.entries(labels).every(([k, v]) => value.labels[k] === v))?.value;
}

describe('metrics registry', () => {
  let serial = 0;
  const uniqueName = () => `test_events_${++serial}_total`;

  describe(defineCounter.name, () => {
    it('should export every known label set as 0 before the first event', async () => {
      const name = uniqueName();
      defineCounter({
        name,
        help: 'test',
        labelNames: ['kind'],
        known: labelCombinations({ kind: ['a', 'b'] }),
      });
      const text = await PROCESS_METRICS.getSingleMetricAsString(name);
      expect(text).toContain(`${name}{kind="a"} 0`);
      expect(text).toContain(`${name}{kind="b"} 0`);
    });
  });

  describe(countAfterCommit.name, () => {
    it('should count once the transaction has committed', async () => {
      const counter = defineCounter({ name: uniqueName(), help: 'test', labelNames: ['kind'] });
      const { tx, finish } = fakeTransaction();
      countAfterCommit(tx, counter, { kind: 'a' });
      expect(await valueOf(counter, { kind: 'a' })).toBeUndefined();
      finish(true);
      expect(await valueOf(counter, { kind: 'a' })).toBe(1);
    });

    it('should count nothing for a rolled-back transaction', async () => {
      const counter = defineCounter({
        name: uniqueName(),
        help: 'test',
        labelNames: ['kind'],
        known: [{ kind: 'a' }],
      });
      const { tx, finish } = fakeTransaction();
      countAfterCommit(tx, counter, { kind: 'a' });
      finish(false);
      expect(await valueOf(counter, { kind: 'a' })).toBe(0);
    });
  });

  describe(labelCombinations.name, () => {
    it('should give every combination of the values', () => {
      expect(labelCombinations({ outcome: ['ok', 'failed'], code: ['x'] })).toEqual([
        { outcome: 'ok', code: 'x' },
        { outcome: 'failed', code: 'x' },
      ]);
    });
  });

  describe(boundedLabel.name, () => {
    it('should keep a known value and fold anything else into other', () => {
      expect(boundedLabel('card_declined', ['card_declined'])).toBe('card_declined');
      expect(boundedLabel('made_up_by_a_peer', ['card_declined'])).toBe('other');
      expect(boundedLabel(null, ['card_declined'])).toBe('other');
    });
  });
});
