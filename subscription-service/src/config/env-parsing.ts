// Twin of the other service's src/config/env-parsing.ts (scripts/check-mirrors.mjs): both services read
// environment strings the same way.

/**
 * `true`/`false` in any case become booleans; anything else is left as is, so `@IsBoolean()` refuses it at
 * boot instead of a typo (`WORKERS_ENABLED=ture`) silently meaning false.
 */
export const toBoolean = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^(true|false)$/i.test(value) ? value.toLowerCase() === 'true' : value;

/** A number, or undefined for an empty or unset value (then reported as required, or its default applies). */
export const toNumber = ({ value }: { value: unknown }): unknown =>
  value === undefined || value === '' ? undefined : typeof value === 'string' ? Number(value) : value;
