import { WorkListener, WorkSignal, WorkTopic } from './work-signal';

interface Row {
  id: string;
}

const TOPIC = new WorkTopic<Row>('rows');
const LEASE = new Date('2026-01-01T00:00:30Z');
const NOW = new Date('2026-01-01T00:00:00Z');

function listener(leaseUntil: Date | null = LEASE): jest.Mocked<WorkListener<Row>> {
  return { reserve: jest.fn((_now: Date) => leaseUntil), committed: jest.fn(), wake: jest.fn() };
}

describe(WorkSignal.name, () => {
  describe('raise', () => {
    it('should wake the listener of the topic only', () => {
      const signal = new WorkSignal();
      const rows = listener();
      const others = listener();
      signal.listen(TOPIC, rows);
      signal.listen(new WorkTopic<Row>('others'), others);
      signal.raise(TOPIC);
      expect(rows.wake).toHaveBeenCalledTimes(1);
      expect(others.wake).not.toHaveBeenCalled();
    });

    it('should do nothing without a listener', () => {
      expect(() => new WorkSignal().raise(TOPIC)).not.toThrow();
    });
  });

  describe('reserve', () => {
    it('should hand the lease of a held slot to the writer and the committed row to the listener', async () => {
      const signal = new WorkSignal();
      const rows = listener();
      signal.listen(TOPIC, rows);
      const reservation = signal.reserve(TOPIC, NOW);
      expect(rows.reserve).toHaveBeenCalledWith(NOW);
      expect(reservation?.leaseUntil).toBe(LEASE);
      await reservation?.committed({ id: 'a' });
      expect(rows.committed).toHaveBeenCalledWith({ id: 'a' });
    });

    it('should pass null on when nothing was committed, so the listener frees the slot', async () => {
      const signal = new WorkSignal();
      const rows = listener();
      signal.listen(TOPIC, rows);
      await signal.reserve(TOPIC, NOW)?.committed(null);
      expect(rows.committed).toHaveBeenCalledWith(null);
    });

    it('should wait for the listener to take the committed row', async () => {
      const signal = new WorkSignal();
      let taken = false;
      signal.listen(TOPIC, {
        ...listener(),
        committed: () => new Promise<void>((resolve) => setImmediate(() => resolve(void (taken = true)))),
      });
      await signal.reserve(TOPIC, NOW)?.committed({ id: 'a' });
      expect(taken).toBe(true);
    });

    it('should answer null when the listener has no free slot, or there is no listener', () => {
      const signal = new WorkSignal();
      signal.listen(TOPIC, listener(null));
      expect(signal.reserve(TOPIC, NOW)).toBeNull();
      expect(signal.reserve(new WorkTopic<Row>('unheard'), NOW)).toBeNull();
    });

    it('should refuse to end a reservation twice', async () => {
      const signal = new WorkSignal();
      const rows = listener();
      signal.listen(TOPIC, rows);
      const reservation = signal.reserve(TOPIC, NOW);
      await reservation?.committed({ id: 'a' });
      await expect(reservation?.committed(null)).rejects.toThrow(/already ended/);
      expect(rows.committed).toHaveBeenCalledTimes(1);
    });
  });

  describe('listen', () => {
    it('should refuse a second listener for a topic', () => {
      const signal = new WorkSignal();
      signal.listen(TOPIC, listener());
      expect(() => signal.listen(new WorkTopic<Row>('rows'), listener())).toThrow(/already has a listener/);
    });
  });
});
