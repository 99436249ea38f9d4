import { isStorableText, unstorableTextFields } from './storable-text';

describe(isStorableText.name, () => {
  it.each([
    ['plain text', 'Carol'],
    ['an astral character (a surrogate pair)', 'party \ud83c\udf89'],
    ['an empty string', ''],
  ])('should accept %s', (_label, value) => expect(isStorableText(value)).toBe(true));

  it.each([
    ['NUL', 'a\u0000b'],
    ['a lone high surrogate', '\ud800'],
    ['a lone low surrogate', 'x\udc00'],
    ['a reversed pair', '\udf89\ud83c'],
  ])('should refuse %s', (_label, value) => expect(isStorableText(value)).toBe(false));
});

describe(unstorableTextFields.name, () => {
  it('should name every unstorable string by its path, and the object of an unstorable key', () => {
    expect(
      unstorableTextFields(
        { name: 'ok', note: 'a\u0000', tags: ['x', '\ud800'], metadata: { 'k\u0000': 'v' }, count: 3, none: null },
        '',
      ),
    ).toEqual(['note', 'tags[1]', 'metadata']);
  });

  it('should name a scalar by the path given, or the root as empty', () => {
    expect(unstorableTextFields('\u0000', 'id')).toEqual(['id']);
    expect(unstorableTextFields({ '\u0000': 1 }, '')).toEqual(['']);
  });
});
