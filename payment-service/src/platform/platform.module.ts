import { Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { AppConfig } from '../config/app-config';
import { ApiKeyGuard } from './auth/api-key.guard';
import { PrismaService } from './database/prisma.service';
import { ProblemDetailsFilter } from './errors/problem-details.filter';
import { HealthController } from './health/health.controller';
import { IdempotencyInterceptor } from './idempotency/idempotency.interceptor';
import { IdempotencyStore } from './idempotency/idempotency.store';
import { CLOCK, RANDOM_SOURCE, SystemClock } from './time/clock';

/** Cross-cutting concerns: database, auth, errors, idempotency, rate limit, time, health. */
@Global()
@Module({
  imports: [
    TerminusModule.forRoot({ errorLogStyle: 'json' }),
    ThrottlerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({ throttlers: [{ ttl: 60_000, limit: config.rateLimitPerMinute }] }),
    }),
  ],
  controllers: [HealthController],
  providers: [
    PrismaService,
    IdempotencyStore,
    { provide: CLOCK, useClass: SystemClock },
    { provide: RANDOM_SOURCE, useValue: Math.random },
    // Guards run in this order: throttling first also rate-limits guessing of API keys.
    { provide: APP_GUARD, useClass: ThrottlerGuard },
    { provide: APP_GUARD, useClass: ApiKeyGuard },
    { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
    { provide: APP_FILTER, useClass: ProblemDetailsFilter },
  ],
  exports: [PrismaService, CLOCK, RANDOM_SOURCE],
})
export class PlatformModule {}
