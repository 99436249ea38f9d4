import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { Database, statement } from '../platform/database/database';
import { PrismaService } from '../platform/database/prisma.service';
import { Clock, CLOCK } from '../platform/time/clock';
import { WebhookEndpointResponse } from './dto/webhook-endpoint.response';

const UPSERT_CONFIGURED = statement(
  'webhook_endpoints_upsert_configured',
  `INSERT INTO webhook_endpoints (id, url, secret, enabled, created_at, updated_at) VALUES (gen_random_uuid(), $1, $2, true, $3, $3)
   ON CONFLICT (url) DO UPDATE SET secret = excluded.secret, enabled = true, updated_at = excluded.updated_at
   RETURNING id, url, enabled, created_at AS "createdAt", updated_at AS "updatedAt"`,
);
const DISABLE_OTHERS = statement(
  'webhook_endpoints_disable_others',
  `UPDATE webhook_endpoints SET enabled = false, updated_at = $2 WHERE url <> $1 AND enabled`,
);

@Injectable()
export class WebhookEndpointsService implements OnApplicationBootstrap {
  constructor(
    private readonly db: Database,
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
    const endpoint = await this.db.transaction(async (tx) => {
      const [upserted] = await tx.query<{
        id: string;
        url: string;
        enabled: boolean;
        createdAt: Date;
        updatedAt: Date;
      }>(UPSERT_CONFIGURED, [url, this.config.webhookSecret, now]);
      await tx.execute(DISABLE_OTHERS, [url, now]);
      return upserted;
    });
    return toEndpointResponse(endpoint);
  }

  async list(): Promise<{ object: 'list'; data: WebhookEndpointResponse[] }> {
    const endpoints = await this.prisma.webhookEndpoint.findMany({ orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] });
    return { object: 'list', data: endpoints.map(toEndpointResponse) };
  }
}

function toEndpointResponse(endpoint: {
  id: string;
  url: string;
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}): WebhookEndpointResponse {
  return {
    id: endpoint.id,
    object: 'webhook_endpoint',
    url: endpoint.url,
    enabled: endpoint.enabled,
    createdAt: endpoint.createdAt.toISOString(),
    updatedAt: endpoint.updatedAt.toISOString(),
  };
}
