import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../platform/errors/problem.response';
import { WebhookEndpointListResponse } from './dto/webhook-endpoint.response';
import { WebhookEndpointsService } from './webhook-endpoints.service';

@ApiTags('webhook endpoints')
@ApiBearerAuth('api-key')
@ApiProblems(401, 429)
@Controller('v1/webhook-endpoints')
export class WebhookEndpointsController {
  constructor(private readonly endpoints: WebhookEndpointsService) {}

  @Get()
  @ApiOperation({ summary: 'List webhook endpoints (configured by WEBHOOK_URL; secrets are never returned).' })
  @ApiOkResponse({ type: WebhookEndpointListResponse })
  list() {
    return this.endpoints.list();
  }
}
