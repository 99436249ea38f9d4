/**
 * Money rules of docs/contracts.md ("Money"): amounts are integers in minor units of an ISO-4217 currency.
 * Both services carry this file as a byte-identical twin (scripts/mirrored-files.json): no shared code, one rule.
 */

/**
 * The largest amount, in minor units, either service accepts: a plan price, a payment or a refund (99 999 999:
 * 999 999.99 in a two-decimal currency). One limit for both services (docs/contracts.md), so a plan can never be
 * priced above what the payment service will charge.
 */
export const MAX_AMOUNT = 99_999_999;

/** The ISO-4217 codes this runtime's ICU knows (`Intl.supportedValuesOf('currency')`, e.g. USD, JPY, KWD). */
const CURRENCY_CODES: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));

/** True for an upper-case ISO-4217 currency code (`USD`); false for `usd`, `ZZZ` or anything not a string. */
export function isCurrencyCode(value: unknown): value is string {
  return typeof value === 'string' && CURRENCY_CODES.has(value);
}

/**
 * How many decimal digits one major unit of `currency` has: 2 for USD (cents), 0 for JPY, 3 for KWD. From ICU's
 * currency data (`Intl.NumberFormat(...).resolvedOptions().maximumFractionDigits`), which follows ISO 4217.
 * @throws RangeError for a code that is not an ISO-4217 currency (see isCurrencyCode).
 */
export function minorUnitExponent(currency: string): number {
  if (!isCurrencyCode(currency)) throw new RangeError(`not an ISO-4217 currency code: ${String(currency)}`);
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/**
 * An integer amount in minor units as a decimal string in major units, without grouping or symbol:
 * `formatMinorUnits(2900, 'USD')` is `"29.00"`, `(500, 'JPY')` is `"500"`, `(1234, 'KWD')` is `"1.234"`.
 * Integer arithmetic only (no floating-point rounding).
 * @throws RangeError for an amount that is not a safe integer or an unknown currency.
 */
export function formatMinorUnits(amount: number, currency: string): string {
  if (!Number.isSafeInteger(amount)) throw new RangeError(`amount must be an integer number of minor units: ${amount}`);
  const exponent = minorUnitExponent(currency);
  const digits = Math.abs(amount)
    .toString()
    .padStart(exponent + 1, '0');
  const sign = amount < 0 ? '-' : '';
  if (exponent === 0) return `${sign}${digits}`;
  return `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}
