import { DynamicModule, Global, Module, Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
import { ApiKeysModule } from './api-keys/api-keys.module';
import { AppConfig } from './config/app-config';
import { InvoicesModule } from './invoices/invoices.module';
import { PaymentAnomaliesModule } from './payment-anomalies/payment-anomalies.module';
import { PaymentsOutboxModule } from './payments-outbox/payments-outbox.module';
import { PlansModule } from './plans/plans.module';
import { ReconciliationModule } from './reconciliation/reconciliation.module';
import { ApiKeyGuard } from './platform/auth/api-key.guard';
import { CLOCK, Clock, SystemClock } from './platform/time/clock';
import { Database } from './platform/database/database';
import { PrismaService } from './platform/database/prisma.service';
import { TraceFlush } from './platform/tracing/trace-flush';
import { HealthController } from './platform/health/health.controller';
import { MetricsModule } from './platform/metrics/metrics.module';
import { AuthFailureLimiter } from './platform/auth/auth-failure-limiter';
import { WorkSignalModule } from './platform/workers/work-signal';
import { CallerThrottlerGuard } from './platform/rate-limit/caller-throttler.guard';
import { MemoryThrottlerStorage } from './platform/rate-limit/memory-throttler.storage';
import { SubscriptionsModule } from './subscriptions/subscriptions.module';
import { UsersModule } from './users/users.module';
import { WebhooksModule } from './webhooks/webhooks.module';

export interface AppModuleOptions {
  readonly config: AppConfig;
  /** The logger the Fastify adapter logs requests with (see createLogger). */
  readonly logger: Logger;
  /** Tests pass a settable clock; production uses the system clock. */
  readonly clock?: Clock;
}

/** Configuration, database (pool + Prisma on it) and clock, available to every feature module. */
@Global()
@Module({})
class CoreModule {
  static forRoot(options: AppModuleOptions): DynamicModule {
    const providers: Provider[] = [
      { provide: AppConfig, useValue: options.config },
      { provide: CLOCK, useValue: options.clock ?? new SystemClock() },
      Database,
      PrismaService,
      TraceFlush,
    ];
    return { module: CoreModule, providers, exports: providers };
  }
}

@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions): DynamicModule {
    const { config } = options;
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(options),
        WorkSignalModule,
        MetricsModule,
        // Fastify logs the requests (AccessLog); nestjs-pino binds the same logger to the request being served.
        LoggerModule.forRoot({ pinoHttp: { logger: options.logger }, useExisting: true }),
        ThrottlerModule.forRoot({
          throttlers: [{ name: 'default', ttl: 60_000, limit: config.rateLimitPerMinute }],
          storage: new MemoryThrottlerStorage(),
        }),
        UsersModule,
        ApiKeysModule,
        PlansModule,
        SubscriptionsModule,
        InvoicesModule,
        PaymentAnomaliesModule,
        WebhooksModule,
        PaymentsOutboxModule,
        ReconciliationModule,
      ],
      controllers: [HealthController],
      providers: [
        AuthFailureLimiter,
        // In this order: the caller's identity first, then its rate limit (see CallerThrottlerGuard).
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_GUARD, useClass: CallerThrottlerGuard },
      ],
    };
  }
}
