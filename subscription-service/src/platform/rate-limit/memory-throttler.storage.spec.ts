import { MemoryThrottlerStorage } from './memory-throttler.storage';

describe(MemoryThrottlerStorage.name, () => {
  afterEach(() => jest.useRealTimers());

  it('should count hits per key up to the limit, then block until the window ends', async () => {
    jest.useFakeTimers({ now: new Date('2026-12-01T10:00:00Z') });
    const storage = new MemoryThrottlerStorage();
    const hit = (key: string) => storage.increment(key, 60_000, 2, 60_000, 'default');

    expect(await hit('a')).toMatchObject({ totalHits: 1, isBlocked: false });
    expect(await hit('a')).toMatchObject({ totalHits: 2, isBlocked: false });
    expect(await hit('a')).toMatchObject({ isBlocked: true, timeToBlockExpire: 60 });
    expect(await hit('b')).toMatchObject({ totalHits: 1, isBlocked: false });

    jest.advanceTimersByTime(61_000);
    expect(await hit('a')).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('should keep separate counters for throttlers with other limits', async () => {
    const storage = new MemoryThrottlerStorage();
    await storage.increment('k', 60_000, 1, 60_000, 'strict');
    expect(await storage.increment('k', 60_000, 1, 60_000, 'strict')).toMatchObject({ isBlocked: true });
    expect(await storage.increment('k', 1_000, 5, 1_000, 'burst')).toMatchObject({ totalHits: 1, isBlocked: false });
  });
});
