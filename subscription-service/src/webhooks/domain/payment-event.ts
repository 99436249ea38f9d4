/**
 * The payment service's webhook events (docs/contracts.md), reduced to the fields this service uses:
 * `payment.succeeded` / `payment.failed` carry the Payment resource, `refund.succeeded` / `refund.failed` the
 * Refund resource (with its `paymentId`). Events of one payment, refunds included, share its `sequence`.
 */
export interface PaymentEvent {
  readonly id: string;
  readonly type: string;
  readonly sequence: number;
  /** The payment the event is about (a refund's `paymentId`). */
  readonly paymentId: string;
  readonly payment: {
    readonly id: string;
    readonly status: string;
    /** Minor units; null when absent or not an integer (it then never matches an obligation). */
    readonly amount: number | null;
    readonly currency: string | null;
    readonly merchantReference: string | null;
    readonly failureCode: string | null;
    readonly failureMessage: string | null;
    readonly metadata: Readonly<Record<string, string>>;
  } | null;
  readonly refund: {
    readonly id: string;
    readonly status: string;
    readonly failureCode: string | null;
    readonly failureMessage: string | null;
    readonly metadata: Readonly<Record<string, string>>;
  } | null;
}

export type ParsedPaymentEvent =
  { readonly ok: true; readonly event: PaymentEvent } | { readonly ok: false; readonly problem: string };

/**
 * The largest `sequence`: both services keep it in a PostgreSQL integer column (the sender's `events.sequence`,
 * this service's `inbound_webhook_events.sequence` and `invoice_payments.last_event_sequence`).
 */
export const MAX_EVENT_SEQUENCE = 2_147_483_647;

/**
 * The longest event, object or payment id accepted: the sender's ids are UUIDs, and an id is kept in an indexed
 * text column, whose B-tree entries PostgreSQL limits to about 2.7 kB.
 */
export const MAX_EVENT_ID_LENGTH = 255;

const str = (value: unknown): string | null => (typeof value === 'string' && value.length > 0 ? value : null);
const int = (value: unknown): number | null =>
  typeof value === 'number' && Number.isSafeInteger(value) ? value : null;

function stringMap(value: unknown): Record<string, string> {
  const map: Record<string, string> = {};
  if (typeof value === 'object' && value !== null) {
    for (const [key, entry] of Object.entries(value as Record<string, unknown>)) {
      if (typeof entry === 'string') map[key] = entry;
    }
  }
  return map;
}

/** Parses the raw bytes the signature covered; never a re-serialised body. */
export function parsePaymentEvent(rawBody: Buffer): ParsedPaymentEvent {
  let json: unknown;
  try {
    json = JSON.parse(rawBody.toString('utf8'));
  } catch {
    return { ok: false, problem: 'body is not valid JSON' };
  }
  if (typeof json !== 'object' || json === null) return { ok: false, problem: 'body must be a JSON object' };
  const root = json as Record<string, unknown>;
  const data = root.data as Record<string, unknown> | undefined;
  const object = (data?.object ?? null) as Record<string, unknown> | null;
  const id = str(root.id);
  const type = str(root.type);
  const sequence = root.sequence;
  if (!id || !type) return { ok: false, problem: 'id and type are required' };
  if (typeof sequence !== 'number' || !Number.isInteger(sequence) || sequence < 0 || sequence > MAX_EVENT_SEQUENCE) {
    return { ok: false, problem: `sequence must be an integer from 0 to ${MAX_EVENT_SEQUENCE}` };
  }
  if (!object || !str(object.id)) return { ok: false, problem: 'data.object.id is required' };
  const objectId = str(object.id) as string;
  const ids = [id, type, objectId, str(object.paymentId) ?? ''];
  if (ids.some((value) => value.length > MAX_EVENT_ID_LENGTH)) {
    return {
      ok: false,
      problem: `id, type, data.object.id and paymentId must be at most ${MAX_EVENT_ID_LENGTH} characters`,
    };
  }
  const common = {
    status: str(object.status) ?? 'unknown',
    failureCode: str(object.failureCode),
    failureMessage: str(object.failureMessage),
    metadata: stringMap(object.metadata),
  };

  if (type.startsWith('refund.')) {
    const paymentId = str(object.paymentId);
    if (!paymentId) return { ok: false, problem: 'data.object.paymentId is required for a refund event' };
    return { ok: true, event: { id, type, sequence, paymentId, payment: null, refund: { id: objectId, ...common } } };
  }
  return {
    ok: true,
    event: {
      id,
      type,
      sequence,
      paymentId: objectId,
      payment: {
        id: objectId,
        amount: int(object.amount),
        currency: str(object.currency),
        merchantReference: str(object.merchantReference),
        ...common,
      },
      refund: null,
    },
  };
}
