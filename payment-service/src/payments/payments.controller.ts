import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../platform/errors/problem.response';
import { FastifyReply } from 'fastify';
import { Idempotency, IdempotencyContext, Idempotent, IDEMPOTENCY_REPLAYED_HEADER } from '../platform/idempotency/idempotency.interceptor';
import { RequestId } from '../platform/http/request-id';
import { CreatePaymentDto } from './dto/create-payment.dto';
import { ListPaymentsQuery } from './dto/list-payments.query';
import { PaymentListResponse, PaymentResponse } from './dto/payment.response';
import { PaymentsService } from './payments.service';

@ApiTags('payments')
@ApiBearerAuth('api-key')
@ApiProblems(401, 429)
@Controller('v1/payments')
export class PaymentsController {
  constructor(private readonly payments: PaymentsService) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @Idempotent({ takeover: true })
  @ApiOperation({
    summary: 'Initiate a payment',
    description: 'Accepted as `processing`; the outcome is sent as a `payment.succeeded` or `payment.failed` webhook.',
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      'Up to 255 characters, kept 24 h. A retry with the same body replays the first response (header Idempotency-Replayed: true); ' +
      'another body is a 422; while the first request runs, 409. A key left in flight for over 30 s by a crashed request is ' +
      'taken over: the answer is the payment that key created (replayed), or a new one if none was created. A key never creates two payments.',
    example: 'invoice-payment:5b0f2c8e-1d3a-4e7b-9c6d-8a2f1e0b3c4d',
  })
  @ApiAcceptedResponse({ type: PaymentResponse })
  @ApiProblems(400, 409, 422)
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
