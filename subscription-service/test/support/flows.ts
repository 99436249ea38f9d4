import request from 'supertest';
import { TestApp } from './test-app';
import { paymentEvent, PaymentEventInput, signedHeaders } from './webhooks';

export interface CreatedSubscription {
  readonly id: string;
  readonly invoiceId: string;
  readonly invoicePaymentId: string;
  readonly body: Record<string, any>;
}

export async function subscribe(
  t: TestApp,
  auth: Record<string, string>,
  planId: string,
  paymentMethod = 'pm_card_visa',
): Promise<CreatedSubscription> {
  const res = await request(t.server).post('/v1/subscriptions').set(auth).send({ planId, paymentMethod }).expect(201);
  return {
    id: res.body.id,
    invoiceId: res.body.latestInvoice.id,
    invoicePaymentId: res.body.latestInvoice.payments[0].id,
    body: res.body,
  };
}

/**
 * A payment event for an invoice, as the payment service would send it: for the invoice's amount and currency
 * (what it was asked to charge) and, once the invoice payment knows it, its gateway payment id, unless the input
 * says otherwise.
 */
export async function paymentEventFor(
  t: TestApp,
  input: Omit<PaymentEventInput, 'amount' | 'currency'> & Partial<Pick<PaymentEventInput, 'amount' | 'currency'>>,
): Promise<{ id: string; body: string }> {
  const invoice = await t.prisma.invoice.findUnique({
    where: { id: input.invoiceId },
    select: { amount: true, currency: true },
  });
  const payment = input.invoicePaymentId
    ? await t.prisma.invoicePayment.findUnique({
        where: { id: input.invoicePaymentId },
        select: { gatewayPaymentId: true },
      })
    : null;
  return paymentEvent({
    ...input,
    gatewayPaymentId: input.gatewayPaymentId ?? payment?.gatewayPaymentId ?? undefined,
    amount: input.amount ?? invoice?.amount ?? 1000,
    currency: input.currency ?? invoice?.currency ?? 'USD',
  });
}

/** Delivers a correctly signed payment event for an invoice payment, as the payment service would. */
export async function deliverPaymentEvent(
  t: TestApp,
  input: Parameters<typeof paymentEventFor>[1] & { invoicePaymentId: string },
): Promise<{ eventId: string; status: number; body: Record<string, unknown> }> {
  const event = await paymentEventFor(t, input);
  const timestamp = Math.floor(t.clock.now().getTime() / 1000);
  const res = await request(t.server)
    .post('/v1/webhooks/payments')
    .set(signedHeaders(event.id, event.body, timestamp))
    .send(event.body);
  return { eventId: event.id, status: res.status, body: res.body };
}

/** Subscribes and pays the initial invoice through the webhook. */
export async function activeSubscription(
  t: TestApp,
  auth: Record<string, string>,
  planId: string,
): Promise<CreatedSubscription> {
  const created = await subscribe(t, auth, planId);
  const delivery = await deliverPaymentEvent(t, {
    type: 'payment.succeeded',
    invoiceId: created.invoiceId,
    invoicePaymentId: created.invoicePaymentId,
  });
  if (delivery.status !== 200) throw new Error(`activation webhook answered ${delivery.status}`);
  return created;
}
