import { CachedRead } from './cached-read';

describe(CachedRead.name, () => {
  let now: number;
  const stopwatch = () => now;

  beforeEach(() => {
    now = 1_000;
  });

  it('should read once per ttl however often it is asked', async () => {
    let reads = 0;
    const cache = new CachedRead(() => Promise.resolve(++reads), 5_000, 1_000, stopwatch);
    expect(await cache.get()).toBe(1);
    now += 4_999;
    expect(await cache.get()).toBe(1);
    now += 1;
    expect(await cache.get()).toBe(2);
    expect(reads).toBe(2);
  });

  it('should share one read between callers that ask while it runs', async () => {
    let finish: (value: number) => void = () => undefined;
    const read = jest.fn(() => new Promise<number>((resolve) => (finish = resolve)));
    const cache = new CachedRead(read, 5_000, 1_000, stopwatch);
    const first = cache.get();
    const second = cache.get();
    finish(7);
    expect(await Promise.all([first, second])).toEqual([7, 7]);
    expect(read).toHaveBeenCalledTimes(1);
  });

  it('should give undefined for a failed read and not retry it before the ttl has passed', async () => {
    const read = jest.fn(() => Promise.reject(new Error('database down')));
    const cache = new CachedRead(read, 5_000, 1_000, stopwatch);
    expect(await cache.get()).toBeUndefined();
    expect(await cache.get()).toBeUndefined();
    expect(read).toHaveBeenCalledTimes(1);
    now += 5_000;
    await cache.get();
    expect(read).toHaveBeenCalledTimes(2);
  });

  it('should give undefined when the read takes longer than the timeout', async () => {
    jest.useFakeTimers();
    try {
      const cache = new CachedRead(() => new Promise<number>(() => undefined), 5_000, 2_000, stopwatch);
      const value = cache.get();
      await jest.advanceTimersByTimeAsync(2_000);
      expect(await value).toBeUndefined();
    } finally {
      jest.useRealTimers();
    }
  });
});
