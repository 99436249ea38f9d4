import { Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { AppConfig } from '../config/app-config';
import { ApiKeyGuard } from './auth/api-key.guard';
import { Database } from './database/database';
import { PrismaService } from './database/prisma.service';
import { TraceFlush } from './tracing/trace-flush';
import { ProblemDetailsFilter } from './errors/problem-details.filter';
import { HealthController } from './health/health.controller';
import { AuthFailureLimiter } from './auth/auth-failure-limiter';
import { CallerThrottlerGuard } from './rate-limit/caller-throttler.guard';
import { MemoryThrottlerStorage } from './rate-limit/memory-throttler.storage';
import { CLOCK, RANDOM_SOURCE, SystemClock } from './time/clock';

/** Cross-cutting concerns: database, auth, errors, rate limit, time, health. */
@Global()
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        throttlers: [{ ttl: 60_000, limit: config.rateLimitPerMinute }],
        storage: new MemoryThrottlerStorage(),
      }),
    }),
  ],
  controllers: [HealthController],
  providers: [
    Database,
    PrismaService,
    TraceFlush,
    { provide: CLOCK, useClass: SystemClock },
    { provide: RANDOM_SOURCE, useValue: Math.random },
    AuthFailureLimiter,
    // In this order: the caller's identity first, then its rate limit (see CallerThrottlerGuard).
    { provide: APP_GUARD, useClass: ApiKeyGuard },
    { provide: APP_GUARD, useClass: CallerThrottlerGuard },
    { provide: APP_FILTER, useClass: ProblemDetailsFilter },
  ],
  exports: [Database, PrismaService, CLOCK, RANDOM_SOURCE],
})
export class PlatformModule {}
