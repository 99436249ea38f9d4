import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentPrincipal } from '../platform/auth/auth.decorators';
import { Principal } from '../platform/auth/principal';
import { ListPage } from '../platform/http/pagination';
import { ProblemDoc, ProblemResponses } from '../platform/http/problem-responses';
import { RequestId } from '../platform/http/request-id';
import { Idempotency, IdempotencyRequest } from '../platform/idempotency/idempotency-key';
import { IdempotentResult } from '../platform/idempotency/idempotent-transaction';
import { Idempotent } from '../platform/idempotency/idempotent.decorator';
import { InvoiceListResponse, InvoiceResponse, ListInvoicesQuery, PayNowRequest } from './dto/invoice.dto';
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
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListInvoicesQuery,
  ): Promise<ListPage<InvoiceResponse>> {
    return this.invoices.listInvoices(principal, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get an invoice with its payment attempts.' })
  @ApiOkResponse({ type: InvoiceResponse })
  @ApiNotFoundResponse({ type: ProblemDoc, description: "not_found (also for other users' invoices)" })
  get(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string): Promise<InvoiceResponse> {
    return this.invoices.getInvoice(principal, id);
  }

  @Post(':id/pay')
  @HttpCode(202)
  @Idempotent()
  @ApiOperation({
    summary: 'Pay an open invoice now',
    description:
      'Starts one new payment attempt on the invoice (initial, renewal or proration) through the outbox, with `paymentMethod` or, ' +
      "without it, the subscription's payment method on file (the method given is used for this attempt only). Answers **202 " +
      'Accepted** with the Invoice resource, the new attempt `pending` (`initiatedBy: "customer"`): the outcome arrives by the ' +
      'payment webhook, like every charge. When it succeeds the invoice is paid and its effect applies as for any payment: a ' +
      '`past_due` subscription becomes `active` and its period advances exactly as after a successful dunning retry. When it ' +
      'fails, the dunning schedule is left alone: it is not counted as a dunning retry, `nextPaymentRetryAt` does not move and ' +
      'the subscription is never canceled by it. One charge at a time per invoice: 409 `payment_in_progress` while an attempt ' +
      'is pending, processing or unknown (a dunning retry that comes due meanwhile is postponed by an hour, not started ' +
      'beside it). 409 `invoice_not_payable` for a paid or void invoice, or a failed one that cannot be reopened (only the ' +
      'failed initial invoice of an `incomplete` subscription inside its 23 h window is reopened). Owner or admin.',
  })
  @ApiBody({
    type: PayNowRequest,
    required: false,
    examples: {
      'with the method on file': { value: {} },
      'with another card': { value: { paymentMethod: 'pm_card_visa' } },
    },
  })
  @ApiAcceptedResponse({ type: InvoiceResponse })
  @ApiBadRequestResponse({
    type: ProblemDoc,
    description: 'validation_failed (malformed paymentMethod or an unknown field)',
  })
  @ApiNotFoundResponse({ type: ProblemDoc, description: "not_found (also for other users' invoices)" })
  @ApiConflictResponse({
    type: ProblemDoc,
    description: 'payment_in_progress, invoice_not_payable, conflict (modified concurrently; retry)',
  })
  pay(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: PayNowRequest,
    @RequestId() requestId: string,
    @Idempotency() idempotency: IdempotencyRequest | undefined,
  ): Promise<IdempotentResult<InvoiceResponse>> {
    return this.invoices.payInvoice(principal, id, body ?? {}, requestId, idempotency);
  }
}
