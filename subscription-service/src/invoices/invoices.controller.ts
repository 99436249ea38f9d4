import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../platform/auth/auth.decorators';
import { Principal } from '../platform/auth/principal';
import { ListPage } from '../platform/http/pagination';
import { ProblemDoc, ProblemResponses } from '../platform/http/problem-responses';
import { InvoiceListResponse, InvoiceResponse, ListInvoicesQuery } from './dto/invoice.dto';
import { InvoicesService } from './invoices.service';

@ApiTags('invoices')
@ApiBearerAuth('api-key')
@ProblemResponses()
@Controller('v1/invoices')
export class InvoicesController {
  constructor(private readonly invoices: InvoicesService) {}

  @Get()
  @ApiOperation({ summary: 'List invoices, newest first (own; admin sees all).' })
  @ApiOkResponse({ type: InvoiceListResponse })
  list(@CurrentPrincipal() principal: Principal, @Query() query: ListInvoicesQuery): Promise<ListPage<InvoiceResponse>> {
    return this.invoices.listInvoices(principal, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get an invoice with its payment attempts.' })
  @ApiOkResponse({ type: InvoiceResponse })
  @ApiNotFoundResponse({ type: ProblemDoc, description: 'not_found (also for other users\' invoices)' })
  get(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string): Promise<InvoiceResponse> {
    return this.invoices.getInvoice(principal, id);
  }
}
