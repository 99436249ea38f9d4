// Seeded pseudo-random numbers, so a hostile run can be replayed exactly from its printed seed.

/**
 * mulberry32 (Tommy Ettinger's 32-bit generator, public domain): `random()` in [0, 1) like Math.random, plus a few
 * helpers. Not cryptographic; only the sequence matters.
 */
export function seededRandom(seed) {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n) => Math.floor(random() * n);
  return {
    random,
    int,
    pick: (items) => items[int(items.length)],
    /** A version-4-shaped UUID from this sequence (never one the services issued). */
    uuid: () => {
      const hex = Array.from({ length: 32 }, () => int(16).toString(16));
      hex[12] = '4';
      hex[16] = '89ab'[int(4)];
      const s = hex.join('');
      return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
    },
    shuffle: (items) => {
      const a = [...items];
      for (let i = a.length - 1; i > 0; i--) {
        const j = int(i + 1);
        [a[i], a[j]] = [a[j], a[i]];
      }
      return a;
    },
  };
}
