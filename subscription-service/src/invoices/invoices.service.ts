import { Injectable } from '@nestjs/common';
import { isAdmin, Principal } from '../platform/auth/principal';
import { Database } from '../platform/database/database';
import { DomainError } from '../platform/errors/domain-error';
import { ListPage, toPage } from '../platform/http/pagination';
import { InvoiceResponse, ListInvoicesQuery } from './dto/invoice.dto';
import { toInvoiceResponse } from './invoice.mapper';
import { findInvoiceCursor, findVisibleInvoice, listInvoices } from './invoice.repository';

@Injectable()
export class InvoicesService {
  constructor(private readonly db: Database) {}

  async listInvoices(principal: Principal, query: ListInvoicesQuery): Promise<ListPage<InvoiceResponse>> {
    const ownerId = isAdmin(principal) ? null : principal.userId;
    const cursor = query.startingAfter ? await findInvoiceCursor(this.db, query.startingAfter, ownerId) : null;
    const rows = await listInvoices(
      this.db,
      { ownerId: ownerId ?? undefined, subscriptionId: query.subscriptionId, status: query.status },
      cursor,
      query.limit + 1,
    );
    return toPage(rows, query.limit, toInvoiceResponse);
  }

  async getInvoice(principal: Principal, id: string): Promise<InvoiceResponse> {
    const invoice = await findVisibleInvoice(this.db, id, isAdmin(principal) ? null : principal.userId);
    if (!invoice) throw DomainError.notFound('Invoice', id);
    return toInvoiceResponse(invoice);
  }
}
