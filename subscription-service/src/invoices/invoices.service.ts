import { Injectable } from '@nestjs/common';
import { isAdmin, Principal } from '../platform/auth/principal';
import { PrismaService } from '../platform/database/prisma.service';
import { DomainError } from '../platform/errors/domain-error';
import { afterCursor, LIST_ORDER, ListPage, toPage } from '../platform/http/pagination';
import { InvoiceResponse, ListInvoicesQuery } from './dto/invoice.dto';
import { INVOICE_INCLUDE, toInvoiceResponse } from './invoice.mapper';

@Injectable()
export class InvoicesService {
  constructor(private readonly prisma: PrismaService) {}

  async listInvoices(principal: Principal, query: ListInvoicesQuery): Promise<ListPage<InvoiceResponse>> {
    const owner = isAdmin(principal) ? {} : { userId: principal.userId };
    const cursor = query.startingAfter
      ? await this.prisma.invoice.findFirst({ where: { id: query.startingAfter, ...owner } })
      : null;
    const rows = await this.prisma.invoice.findMany({
      where: {
        ...owner,
        ...afterCursor(cursor),
        ...(query.subscriptionId ? { subscriptionId: query.subscriptionId } : {}),
        ...(query.status ? { status: query.status } : {}),
      },
      include: INVOICE_INCLUDE,
      orderBy: LIST_ORDER,
      take: query.limit + 1,
    });
    return toPage(rows, query.limit, toInvoiceResponse);
  }

  async getInvoice(principal: Principal, id: string): Promise<InvoiceResponse> {
    const invoice = await this.prisma.invoice.findFirst({
      where: { id, ...(isAdmin(principal) ? {} : { userId: principal.userId }) },
      include: INVOICE_INCLUDE,
    });
    if (!invoice) throw DomainError.notFound('Invoice', id);
    return toInvoiceResponse(invoice);
  }
}
