import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiExtraModels,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { ApiProblems } from '../platform/errors/problem.response';
import { PaginationQuery } from '../platform/http/pagination';
import { RequestId } from '../platform/http/request-id';
import { Idempotency, IdempotencyContext, IDEMPOTENCY_REPLAYED_HEADER } from '../platform/idempotency/idempotency-key';
import { CreateRefundDto } from './dto/create-refund.dto';
import { RefundEventData } from './dto/refund-event-data';
import { RefundListResponse } from './dto/refund-list.response';
import { RefundResponse } from './dto/refund.response';
import { RefundsService } from './refunds.service';

@ApiTags('refunds')
@ApiBearerAuth('api-key')
@ApiProblems(401, 429)
@ApiExtraModels(RefundEventData) // the `data` of its webhook events (webhooks/dto/event.response.ts)
@Controller('v1')
export class RefundsController {
  constructor(private readonly refunds: RefundsService) {}

  @Post('payments/:id/refunds')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Refund a succeeded payment, fully or in part',
    description:
      'Accepted as `pending`; the outcome is sent as a `refund.succeeded` or `refund.failed` webhook whose `sequence` continues the ' +
      "payment's own. `amount` defaults to everything still refundable (the payment amount minus its pending and succeeded refunds); " +
      'concurrent refunds of one payment never together exceed its amount. Refunds of a `pm_card_refund_fail` payment fail with `refund_failed`.',
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      'Up to 255 characters, scoped to your API key, as for payments: a retry with the same body (and payment) answers the first response ' +
      'again (header Idempotency-Replayed: true, the refund as it was created); another body or another payment is a 422.',
    example: 'refund:7d1b0a7e-0c7c-4d5c-9d8e-2b1f4a6c9e01',
  })
  @ApiAcceptedResponse({ type: RefundResponse })
  @ApiProblems(
    400,
    [404, 'not_found: no such payment'],
    [409, 'payment_not_refundable: the payment is not succeeded'],
    [
      422,
      'refund_exceeds_refundable: more than the payment amount minus its pending and succeeded refunds; or idempotency_key_reused',
    ],
  )
  async create(
    @Param('id') paymentId: string,
    @Body() dto: CreateRefundDto,
    @RequestId() requestId: string,
    @Idempotency() idempotency: IdempotencyContext | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RefundResponse> {
    const { refund, replayed } = await this.refunds.create(paymentId, dto, requestId, idempotency);
    if (replayed) {
      void reply.header(IDEMPOTENCY_REPLAYED_HEADER, 'true');
    }
    return refund;
  }

  @Get('payments/:id/refunds')
  @ApiOperation({ summary: "List a payment's refunds, newest first, with their attempts." })
  @ApiOkResponse({ type: RefundListResponse })
  @ApiProblems(400, [404, 'not_found: no such payment'])
  list(@Param('id') paymentId: string, @Query() query: PaginationQuery) {
    return this.refunds.listForPayment(paymentId, query);
  }

  @Get('refunds/:id')
  @ApiOperation({ summary: 'Get a refund with its attempts. Unknown or malformed ids give 404.' })
  @ApiOkResponse({ type: RefundResponse })
  @ApiProblems(404)
  get(@Param('id') id: string) {
    return this.refunds.get(id);
  }
}
