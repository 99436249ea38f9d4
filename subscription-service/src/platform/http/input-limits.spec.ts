import { MAX_JSON_DEPTH, nestsDeeperThan } from './input-limits';

const nestedArrays = (depth: number): unknown => JSON.parse('['.repeat(depth) + ']'.repeat(depth));

describe(nestsDeeperThan.name, () => {
  it('should count a scalar as depth 0 and each array or object as one level', () => {
    expect(nestsDeeperThan('text', 0)).toBe(false);
    expect(nestsDeeperThan({}, 0)).toBe(true);
    expect(nestsDeeperThan({ a: [{ b: 1 }] }, 3)).toBe(false);
    expect(nestsDeeperThan({ a: [{ b: 1 }] }, 2)).toBe(true);
  });

  it('should allow the limit and refuse one level more', () => {
    expect(nestsDeeperThan(nestedArrays(MAX_JSON_DEPTH), MAX_JSON_DEPTH)).toBe(false);
    expect(nestsDeeperThan(nestedArrays(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH)).toBe(true);
  });

  it('should walk 10,000 levels without overflowing the stack', () => {
    expect(nestsDeeperThan(nestedArrays(10_000), MAX_JSON_DEPTH)).toBe(true);
  });
});
