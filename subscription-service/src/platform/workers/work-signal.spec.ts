import { TransactionEnd, WorkClaim, WorkSignal } from './work-signal';

/** A transaction whose end the test decides. */
function fakeTransaction(): TransactionEnd & { end(committed: boolean): void } {
  const callbacks: ((committed: boolean) => void)[] = [];
  return {
    onFinish: (callback) => callbacks.push(callback),
    end: (committed) => callbacks.splice(0).forEach((callback) => callback(committed)),
  };
}

const AT = new Date('2026-01-01T00:00:00Z');
const LEASE = new Date('2026-01-01T00:01:00Z');

describe(WorkSignal.name, () => {
  it('should return null when nobody listens to the topic', () => {
    const signal = new WorkSignal();
    const tx = fakeTransaction();
    signal.onRaise('other', () => ({ leaseUntil: LEASE, start: jest.fn() }));
    expect(signal.raise('topic', { id: 1 }, tx, AT)).toBeNull();
  });

  it('should pass the work and time to the listener and return the lease of its claim', () => {
    const signal = new WorkSignal();
    const listener = jest.fn((): WorkClaim => ({ leaseUntil: LEASE, start: jest.fn() }));
    signal.onRaise('topic', listener);
    expect(signal.raise('topic', { id: 1 }, fakeTransaction(), AT)).toEqual(LEASE);
    expect(listener).toHaveBeenCalledWith({ id: 1 }, AT);
  });

  it('should start the claim only once the transaction ends, with whether it committed', () => {
    const signal = new WorkSignal();
    const start = jest.fn();
    signal.onRaise('topic', () => ({ leaseUntil: LEASE, start }));
    const committed = fakeTransaction();
    signal.raise('topic', 'a', committed, AT);
    expect(start).not.toHaveBeenCalled();
    committed.end(true);
    expect(start).toHaveBeenCalledWith(true);

    const rolledBack = fakeTransaction();
    signal.raise('topic', 'b', rolledBack, AT);
    rolledBack.end(false);
    expect(start).toHaveBeenLastCalledWith(false);
  });

  it('should ask the listeners in order and stop at the first claim', () => {
    const signal = new WorkSignal();
    const busy = jest.fn(() => null);
    const free = jest.fn(() => ({ leaseUntil: LEASE, start: jest.fn() }));
    const last = jest.fn(() => ({ leaseUntil: AT, start: jest.fn() }));
    signal.onRaise('topic', busy);
    signal.onRaise('topic', free);
    signal.onRaise('topic', last);
    expect(signal.raise('topic', 'work', fakeTransaction(), AT)).toEqual(LEASE);
    expect(busy).toHaveBeenCalledTimes(1);
    expect(last).not.toHaveBeenCalled();
  });

  it('should return null and register nothing on the transaction when every listener declines', () => {
    const signal = new WorkSignal();
    signal.onRaise('topic', () => null);
    const tx = { onFinish: jest.fn() };
    expect(signal.raise('topic', 'work', tx, AT)).toBeNull();
    expect(tx.onFinish).not.toHaveBeenCalled();
  });
});
