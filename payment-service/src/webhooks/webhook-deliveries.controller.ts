import { Body, Controller, Get, HttpCode, HttpStatus, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../platform/errors/problem.response';
import {
  ListWebhookDeliveriesQuery,
  RedeliverWebhookDeliveriesDto,
  RedeliverWebhookDeliveriesResponse,
  WebhookDeliveryListResponse,
} from './dto/webhook-delivery.dto';
import { WebhookDeliveriesService } from './webhook-deliveries.service';

@ApiTags('webhook deliveries')
@ApiBearerAuth('api-key')
@ApiProblems(401, 429)
@Controller('v1/webhook-deliveries')
export class WebhookDeliveriesController {
  constructor(private readonly deliveries: WebhookDeliveriesService) {}

  @Get()
  @ApiOperation({
    summary: 'List webhook deliveries, newest first; `?status=failed` lists the dead letters.',
    description: '`since` keeps deliveries whose state changed (`updatedAt`) at or after that instant.',
  })
  @ApiOkResponse({ type: WebhookDeliveryListResponse })
  @ApiProblems(400)
  list(@Query() query: ListWebhookDeliveriesQuery) {
    return this.deliveries.list(query);
  }

  @Post('redeliver')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Send every dead letter again (bulk redelivery).',
    description:
      'Every `failed` delivery to an enabled endpoint updated at or after `since` becomes `pending`, due now, with the retry ' +
      'schedule restarted, in one statement; the delivery worker is woken up. Use `POST /v1/events/{id}/redeliver` for one event.',
  })
  @ApiBody({
    type: RedeliverWebhookDeliveriesDto,
    examples: { deadLetters: { value: { status: 'failed', since: '2026-11-27T00:00:00.000Z' } } },
  })
  @ApiAcceptedResponse({ type: RedeliverWebhookDeliveriesResponse })
  @ApiProblems(400)
  redeliver(@Body() body: RedeliverWebhookDeliveriesDto) {
    return this.deliveries.redeliver(body);
  }
}
