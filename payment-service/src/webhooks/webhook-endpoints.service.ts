import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { PrismaService } from '../platform/database/prisma.service';
import { Clock, CLOCK } from '../platform/time/clock';
import { WebhookEndpointResponse } from './dto/webhook-endpoint.response';

@Injectable()
export class WebhookEndpointsService implements OnApplicationBootstrap {
  constructor(
    private readonly prisma: PrismaService,
    private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.ensureConfiguredEndpoint();
  }

  /**
   * Makes WEBHOOK_URL/WEBHOOK_SECRET the one enabled endpoint. Endpoints of earlier configurations are
   * disabled, not deleted: their delivery history stays readable.
   */
  async ensureConfiguredEndpoint(): Promise<WebhookEndpointResponse> {
    const now = this.clock.now();
    const url = this.config.webhookUrl;
    const [endpoint] = await this.prisma.$transaction([
      this.prisma.webhookEndpoint.upsert({
        where: { url },
        create: { url, secret: this.config.webhookSecret, enabled: true, createdAt: now, updatedAt: now },
        update: { secret: this.config.webhookSecret, enabled: true, updatedAt: now },
      }),
      this.prisma.webhookEndpoint.updateMany({ where: { url: { not: url }, enabled: true }, data: { enabled: false, updatedAt: now } }),
    ]);
    return toEndpointResource(endpoint);
  }

  async list(): Promise<{ object: 'list'; data: WebhookEndpointResponse[] }> {
    const endpoints = await this.prisma.webhookEndpoint.findMany({ orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] });
    return { object: 'list', data: endpoints.map(toEndpointResource) };
  }
}

function toEndpointResource(endpoint: { id: string; url: string; enabled: boolean; createdAt: Date; updatedAt: Date }): WebhookEndpointResponse {
  return {
    id: endpoint.id,
    object: 'webhook_endpoint',
    url: endpoint.url,
    enabled: endpoint.enabled,
    createdAt: endpoint.createdAt.toISOString(),
    updatedAt: endpoint.updatedAt.toISOString(),
  };
}
