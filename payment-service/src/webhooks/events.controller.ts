import { Controller, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiProblems } from '../platform/errors/problem.response';
import { EventDetailResponse, EventListResponse, PaymentEventPayload } from './dto/event.response';
import { ListEventsQuery } from './dto/list-events.query';
import { EventsService } from './events.service';

@ApiTags('events')
@ApiBearerAuth('api-key')
@ApiProblems(401, 429)
@ApiExtraModels(PaymentEventPayload) // the webhook body, documented though no endpoint returns it
@Controller('v1/events')
export class EventsController {
  constructor(private readonly events: EventsService) {}

  @Get()
  @ApiOperation({ summary: 'List events, newest first.' })
  @ApiOkResponse({ type: EventListResponse })
  @ApiProblems(400)
  list(@Query() query: ListEventsQuery) {
    return this.events.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get an event with its deliveries and every delivery attempt.' })
  @ApiOkResponse({ type: EventDetailResponse })
  @ApiProblems(404)
  get(@Param('id') id: string) {
    return this.events.get(id);
  }

  @Post(':id/redeliver')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Send the event again now to every endpoint, restarting the retry schedule (also for dead letters).',
  })
  @ApiAcceptedResponse({ type: EventDetailResponse })
  @ApiProblems(404)
  redeliver(@Param('id') id: string) {
    return this.events.redeliver(id);
  }
}
