import { Inject, Injectable } from '@nestjs/common';
import { billingTime } from '../billing/domain/billing-time';
import { InvoiceIssuer, isPayNowRefusal } from '../billing/invoice-issuer';
import { isAdmin, Principal } from '../platform/auth/principal';
import { Clock, CLOCK } from '../platform/time/clock';
import { Database, Sql } from '../platform/database/database';
import { DomainError } from '../platform/errors/domain-error';
import { cursorAfter, ListPage, toPage } from '../platform/http/pagination';
import { IdempotencyRequest } from '../platform/idempotency/idempotency-key';
import { IdempotentResult, runIdempotent } from '../platform/idempotency/idempotent-transaction';
import { lockSubscription } from '../subscriptions/persistence/subscription.repository';
import { InvoiceResponse, ListInvoicesQuery, PayNowRequest } from './dto/invoice.dto';
import { toInvoiceResponse } from './invoice.mapper';
import { findInvoice, findInvoiceCursor, findVisibleInvoice, listInvoices } from './persistence/invoice.repository';

@Injectable()
export class InvoicesService {
  constructor(
    private readonly db: Database,
    private readonly issuer: InvoiceIssuer,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async listInvoices(principal: Principal, query: ListInvoicesQuery): Promise<ListPage<InvoiceResponse>> {
    const ownerId = ownerOf(principal);
    const cursor = await cursorAfter(query.startingAfter, (id) => findInvoiceCursor(this.db, id, ownerId));
    const rows = await listInvoices(
      this.db,
      { ownerId: ownerId ?? undefined, subscriptionId: query.subscriptionId, status: query.status },
      cursor,
      query.limit + 1,
    );
    return toPage(rows, query.limit, toInvoiceResponse);
  }

  async getInvoice(principal: Principal, id: string): Promise<InvoiceResponse> {
    return this.view(this.db, principal, id);
  }

  /**
   * Pay now: one new `customer` payment attempt on the invoice through the outbox (InvoiceIssuer.attemptCustomerPayment,
   * the same code as `POST /v1/subscriptions/{id}/pay`), with `paymentMethod` or the subscription's method on file,
   * in one transaction with its Idempotency-Key. The subscription is locked first, as by every other operation that
   * charges it (a dunning retry, a payment-method update), so two attempts on one invoice never start at once.
   * Answers the Invoice resource with the new attempt `pending`; the outcome arrives by webhook. Stripe's
   * `POST /v1/invoices/{id}/pay` is the model (it too leaves the customer's default payment method unchanged).
   * @throws DomainError `not_found` (404; also another user's invoice), `payment_in_progress` / `invoice_not_payable` (409).
   */
  async payInvoice(
    principal: Principal,
    id: string,
    request: PayNowRequest,
    requestId: string,
    idempotency?: IdempotencyRequest,
  ): Promise<IdempotentResult<InvoiceResponse>> {
    const ownerId = ownerOf(principal);
    return this.db.transaction((tx) =>
      runIdempotent(tx, idempotency, this.clock.now(), async () => {
        const visible = await findInvoice(tx, id);
        if (!visible || (ownerId !== null && visible.userId !== ownerId)) throw DomainError.notFound('Invoice', id);
        const subscription = await lockSubscription(tx, visible.subscriptionId);
        if (!subscription) throw new Error(`subscription ${visible.subscriptionId} of invoice ${id} not found`);
        // Read again under the subscription's lock: a webhook or a cancel may have settled it meanwhile.
        const invoice = await findInvoice(tx, id);
        if (!invoice) throw DomainError.notFound('Invoice', id);
        const system = this.clock.now();
        const at = { billing: billingTime(system, subscription.clockOffsetSeconds), system };
        const attempt = await this.issuer.attemptCustomerPayment(
          tx,
          subscription,
          invoice,
          request.paymentMethod ?? subscription.paymentMethod,
          requestId,
          at,
        );
        if (isPayNowRefusal(attempt)) throw new DomainError(attempt.code, attempt.detail);
        return this.view(tx, principal, id);
      }),
    );
  }

  private async view(db: Sql, principal: Principal, id: string): Promise<InvoiceResponse> {
    const invoice = await findVisibleInvoice(db, id, ownerOf(principal));
    if (!invoice) throw DomainError.notFound('Invoice', id);
    return toInvoiceResponse(invoice);
  }
}

/** Users see their own invoices only (others' are reported as not found): the owner to filter on, or null for admins. */
function ownerOf(principal: Principal): string | null {
  return isAdmin(principal) ? null : principal.userId;
}
