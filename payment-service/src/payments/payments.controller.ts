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
import { ApiProblems } from '../platform/errors/problem.response';
import { FastifyReply } from 'fastify';
import { Idempotency, IdempotencyContext, IDEMPOTENCY_REPLAYED_HEADER } from '../platform/idempotency/idempotency-key';
import { RequestId } from '../platform/http/request-id';
import { CreatePaymentDto } from './dto/create-payment.dto';
import { ListPaymentsQuery } from './dto/list-payments.query';
import { PaymentEventData } from './dto/payment-event-data';
import { PaymentListResponse, PaymentResponse } from './dto/payment.response';
import { PaymentsService } from './payments.service';

@ApiTags('payments')
@ApiBearerAuth('api-key')
@ApiProblems(401, 429)
@ApiExtraModels(PaymentEventData) // the `data` of its webhook events (webhooks/dto/event.response.ts)
@Controller('v1/payments')
export class PaymentsController {
  constructor(private readonly payments: PaymentsService) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Initiate a payment',
    description: 'Accepted as `processing`; the outcome is sent as a `payment.succeeded` or `payment.failed` webhook.',
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      'Up to 255 characters, scoped to your API key. The payment records its key (a unique column), so a key never creates two ' +
      'payments: a retry with the same body answers the first response again (header Idempotency-Replayed: true), another body is a 422, ' +
      'and a concurrent duplicate waits for the first request instead of failing. A key stays bound to its payment.',
    example: 'invoice-payment:5b0f2c8e-1d3a-4e7b-9c6d-8a2f1e0b3c4d',
  })
  @ApiAcceptedResponse({ type: PaymentResponse })
  @ApiProblems(400, 422)
  async create(
    @Body() dto: CreatePaymentDto,
    @RequestId() requestId: string,
    @Idempotency() idempotency: IdempotencyContext | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PaymentResponse> {
    const { payment, replayed } = await this.payments.create(dto, requestId, idempotency);
    if (replayed) {
      void reply.header(IDEMPOTENCY_REPLAYED_HEADER, 'true');
    }
    return payment;
  }

  @Get()
  @ApiOperation({ summary: 'List payments, newest first, optionally filtered.' })
  @ApiOkResponse({ type: PaymentListResponse })
  @ApiProblems(400)
  list(@Query() query: ListPaymentsQuery) {
    return this.payments.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a payment with its attempts. Unknown or malformed ids give 404.' })
  @ApiOkResponse({ type: PaymentResponse })
  @ApiProblems(404)
  get(@Param('id') id: string) {
    return this.payments.get(id);
  }
}
