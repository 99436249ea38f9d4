/**
 * A NUL character (U+0000), or a UTF-16 surrogate that is not half of a pair. PostgreSQL `text`, `varchar` and
 * `jsonb` cannot hold either: NUL fails with SQLSTATE 22021 (or 22P05 as `\u0000` in JSON), a lone surrogate is
 * not a Unicode scalar value (RFC 3629 §3 forbids encoding one in UTF-8; in JSON it fails with 22P05).
 */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The message of a field that holds unstorable text (see `unstorableTextFields`). */
export const UNSTORABLE_TEXT_MESSAGE = 'must not contain a NUL character (U+0000) or an unpaired UTF-16 surrogate';

/** True when PostgreSQL text can hold `value` (no NUL, no lone surrogate). */
export function isStorableText(value: string): boolean {
  return !value.includes('\u0000') && !LONE_SURROGATE.test(value);
}

/**
 * The paths (`metadata.note`, `tags[2]`; `path` itself for a scalar, and the object's path for a key) of every
 * string in `value`, object keys included, that PostgreSQL text cannot hold; `path` is '' for the root. `value` is parsed JSON or a query/params object; its nesting is
 * already bounded (input-limits.ts), so the walk recurses.
 */
export function unstorableTextFields(value: unknown, path: string): string[] {
  if (typeof value === 'string') return isStorableText(value) ? [] : [path];
  if (typeof value !== 'object' || value === null) return [];
  if (Array.isArray(value)) return value.flatMap((item, index) => unstorableTextFields(item, `${path}[${index}]`));
  return Object.entries(value).flatMap(([key, item]) => {
    const at = path ? `${path}.${key}` : key;
    return isStorableText(key) ? unstorableTextFields(item, at) : [path];
  });
}
