import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../platform/auth/auth.decorators';
import { ListPage, PaginationQuery } from '../platform/http/pagination';
import { ProblemResponses } from '../platform/http/problem-responses';
import { PaymentAnomalyListResponse, PaymentAnomalyResponse } from './dto/payment-anomaly.response';
import { PaymentAnomaliesService } from './payment-anomalies.service';

@ApiTags('payment-anomalies')
@ApiBearerAuth('api-key')
@ProblemResponses()
@Controller('v1/payment-anomalies')
export class PaymentAnomaliesController {
  constructor(private readonly anomalies: PaymentAnomaliesService) {}

  @Get()
  @AdminOnly()
  @ApiOperation({
    summary: 'List payment anomalies, newest first (admin).',
    description:
      'Payment events (webhooks or reconciliation lookups) whose amount, currency, merchant reference or gateway payment id did not match ' +
      'the invoice payment they named. Such an event settles nothing; it is acknowledged, logged at error level and kept here for a person.',
  })
  @ApiOkResponse({ type: PaymentAnomalyListResponse })
  list(@Query() query: PaginationQuery): Promise<ListPage<PaymentAnomalyResponse>> {
    return this.anomalies.list(query);
  }
}
