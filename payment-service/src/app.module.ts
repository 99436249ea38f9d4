import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { PaymentsModule } from './payments/payments.module';
import { MetricsModule } from './platform/metrics/metrics.module';
import { PlatformModule } from './platform/platform.module';
import { WorkSignalModule } from './platform/workers/work-signal';
import { RefundsModule } from './refunds/refunds.module';
import { WebhooksModule } from './webhooks/webhooks.module';

@Module({})
export class AppModule {
  /** `logger`: the one the Fastify adapter logs requests with (see createLogger). */
  static forRoot(config: AppConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        // Fastify logs the requests (AccessLog); nestjs-pino binds the same logger to the request being served.
        LoggerModule.forRoot({ pinoHttp: { logger }, useExisting: true }),
        PlatformModule,
        MetricsModule,
        WorkSignalModule,
        WebhooksModule,
        PaymentsModule,
        RefundsModule,
      ],
    };
  }
}
