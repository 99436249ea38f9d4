import { ApiProperty } from '@nestjs/swagger';

/** A configured receiver. Its signing secret is never returned. */
export class WebhookEndpointResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['webhook_endpoint'] }) object!: 'webhook_endpoint';
  @ApiProperty({ example: 'http://localhost:3000/v1/webhooks/payments' }) url!: string;
  @ApiProperty({ description: 'Only the endpoint from WEBHOOK_URL is enabled.' }) enabled!: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class WebhookEndpointListResponse {
  @ApiProperty({ enum: ['list'] }) object!: 'list';
  @ApiProperty({ type: [WebhookEndpointResponse] }) data!: WebhookEndpointResponse[];
}
