/** The payment service's webhook event (docs/contracts.md), reduced to the fields this service uses. */
export interface PaymentEvent {
  readonly id: string;
  readonly type: string;
  readonly sequence: number;
  readonly payment: {
    readonly id: string;
    readonly status: string;
    readonly merchantReference: string | null;
    readonly failureCode: string | null;
    readonly failureMessage: string | null;
    readonly metadata: Readonly<Record<string, string>>;
  };
}

export type ParsedPaymentEvent = { readonly ok: true; readonly event: PaymentEvent } | { readonly ok: false; readonly problem: string };

const str = (value: unknown): string | null => (typeof value === 'string' && value.length > 0 ? value : null);

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
  if (typeof sequence !== 'number' || !Number.isInteger(sequence) || sequence < 0) {
    return { ok: false, problem: 'sequence must be a non-negative integer' };
  }
  if (!object || !str(object.id)) return { ok: false, problem: 'data.object.id is required' };
  const metadata: Record<string, string> = {};
  if (typeof object.metadata === 'object' && object.metadata !== null) {
    for (const [key, value] of Object.entries(object.metadata as Record<string, unknown>)) {
      if (typeof value === 'string') metadata[key] = value;
    }
  }
  return {
    ok: true,
    event: {
      id,
      type,
      sequence,
      payment: {
        id: str(object.id) as string,
        status: str(object.status) ?? 'unknown',
        merchantReference: str(object.merchantReference),
        failureCode: str(object.failureCode),
        failureMessage: str(object.failureMessage),
        metadata,
      },
    },
  };
}
