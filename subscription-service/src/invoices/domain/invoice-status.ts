/**
 * The invoice and invoice-payment state machines (docs/state-machine.md §3). Every status write of either goes
 * through `assertInvoiceTransition` / `assertInvoicePaymentTransition`, so a move that is not in these tables is a
 * bug that fails loudly instead of a silent corruption of the ledger.
 */

export const INVOICE_STATUSES = ['open', 'paid', 'failed', 'void'] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

/**
 * - `open → paid | failed | void`: its payment succeeded, failed with no retry left, or the subscription ended;
 * - `failed → open`: paid again (the initial invoice of an incomplete subscription inside its window);
 * - `failed → paid`: a late success on that same invoice while it could still be paid again (it activates the
 *   subscription); any other late success is refunded and the invoice stays `failed`;
 * - `failed → void`: the incomplete subscription expired or was canceled.
 * `paid` and `void` are final.
 */
export const INVOICE_TRANSITIONS: Readonly<Record<InvoiceStatus, readonly InvoiceStatus[]>> = {
  open: ['paid', 'failed', 'void'],
  failed: ['open', 'paid', 'void'],
  paid: [],
  void: [],
};

export const INVOICE_PAYMENT_STATUSES = [
  'pending',
  'processing',
  'unknown',
  'succeeded',
  'failed',
  'canceled',
] as const;
export type InvoicePaymentStatus = (typeof INVOICE_PAYMENT_STATUSES)[number];

/**
 * - `pending`: written with its outbox message; `processing`: the gateway accepted it (202); `unknown`: the
 *   request may have reached the gateway (timeout), resolved by the same-key retry or by reconciliation;
 * - `canceled`: never charged because its invoice stopped being collectible before the send (or, from
 *   `unknown`, reconciliation found that the gateway never created it);
 * - a gateway outcome may still arrive for a `canceled` or `failed` payment (a late or newer event): it is
 *   recorded, and money that arrives that way is refunded unless its invoice still owes it.
 * `succeeded` is final.
 */
export const INVOICE_PAYMENT_TRANSITIONS: Readonly<Record<InvoicePaymentStatus, readonly InvoicePaymentStatus[]>> = {
  pending: ['processing', 'unknown', 'succeeded', 'failed', 'canceled'],
  unknown: ['processing', 'succeeded', 'failed', 'canceled'],
  processing: ['succeeded', 'failed'],
  failed: ['succeeded'],
  canceled: ['succeeded', 'failed'],
  succeeded: [],
};

/** An invoice may be charged (a payment requested, or a payment's money kept) only while it is `open`. */
export function isCollectible(status: InvoiceStatus): boolean {
  return status === 'open';
}

/** A payment that no outcome has settled yet: the gateway may still take its money. */
export function isUnsettledPayment(status: InvoicePaymentStatus): boolean {
  return status === 'pending' || status === 'processing' || status === 'unknown';
}

/** @throws Error for a move not in INVOICE_TRANSITIONS (a bug, answered 500: no input can cause it). */
export function assertInvoiceTransition(from: InvoiceStatus, to: InvoiceStatus): void {
  if (!INVOICE_TRANSITIONS[from].includes(to)) throw new Error(`illegal invoice transition ${from} → ${to}`);
}

/** @throws Error for a move not in INVOICE_PAYMENT_TRANSITIONS (a bug, answered 500: no input can cause it). */
export function assertInvoicePaymentTransition(from: InvoicePaymentStatus, to: InvoicePaymentStatus): void {
  if (!INVOICE_PAYMENT_TRANSITIONS[from].includes(to))
    throw new Error(`illegal invoice payment transition ${from} → ${to}`);
}
