import { DynamicModule, Global, Module, Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import pino from 'pino';
import { AppConfig } from './config/app-config';
import { InvoicesModule } from './invoices/invoices.module';
import { PlansModule } from './plans/plans.module';
import { ReconciliationModule } from './reconciliation/reconciliation.module';
import { ApiKeyGuard } from './platform/auth/api-key.guard';
import { CLOCK, Clock, SystemClock } from './platform/clock';
import { Database } from './platform/database/database';
import { PrismaService } from './platform/database/prisma.service';
import { HealthController } from './platform/http/health.controller';
import { AuthFailureLimiter } from './platform/rate-limit/auth-failure-limiter';
import { CallerThrottlerGuard } from './platform/rate-limit/caller-throttler.guard';
import { MemoryThrottlerStorage } from './platform/rate-limit/memory-throttler.storage';
import { SubscriptionsModule } from './subscriptions/subscriptions.module';
import { UsersModule } from './users/users.module';
import { WebhooksModule } from './webhooks/webhooks.module';

export interface AppModuleOptions {
  readonly config: AppConfig;
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
        LoggerModule.forRoot({
          pinoHttp: [
            {
              level: config.logLevel,
              // The id Fastify resolved (X-Request-Id or a UUID) is on the raw request; see resolveRequestId.
              genReqId: (req: IncomingMessage) => (req as IncomingMessage & { id?: string }).id ?? randomUUID(),
              quietReqLogger: true,
              customAttributeKeys: { reqId: 'reqId' },
              // Probes every few seconds would drown the useful lines.
              autoLogging: { ignore: (req: IncomingMessage) => (req.url ?? '').startsWith('/health') },
              serializers: {
                req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
                res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
              },
              redact: {
                paths: ['req.headers.authorization', 'req.headers["webhook-signature"]', 'req.headers.cookie'],
                censor: '[redacted]',
              },
            },
            // Asynchronous writes: a log line costs no write(2) of its own under load; pino flushes the buffer at exit.
            pino.destination({ sync: false }),
          ],
        }),
        ThrottlerModule.forRoot({ throttlers: [{ name: 'default', ttl: 60_000, limit: config.rateLimitPerMinute }], storage: new MemoryThrottlerStorage() }),
        UsersModule,
        PlansModule,
        SubscriptionsModule,
        InvoicesModule,
        WebhooksModule,
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
