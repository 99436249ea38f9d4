import { HeldClaims } from './held-claims';

describe(HeldClaims.name, () => {
  const lease1 = new Date('2026-11-27T10:00:30.000Z');
  const lease2 = new Date('2026-11-27T10:00:31.000Z');

  it('should group what is still held by lease and forget it once drained', () => {
    const claims = new HeldClaims();
    claims.add(['a', 'b', 'c'], lease1);
    claims.add(['d'], lease2);
    claims.done('b');

    expect(claims.drain()).toEqual([
      { lease: lease1, ids: ['a', 'c'] },
      { lease: lease2, ids: ['d'] },
    ]);
    expect(claims.size).toBe(0);
    expect(claims.drain()).toEqual([]);
  });

  it('should prune leases that expired, since other workers may own those rows now', () => {
    const claims = new HeldClaims();
    claims.add(['a'], lease1);
    claims.add(['b'], lease2);

    claims.prune(lease1);

    expect(claims.drain()).toEqual([{ lease: lease2, ids: ['b'] }]);
  });
});
