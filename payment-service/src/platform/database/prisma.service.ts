import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { AppConfig } from '../../config/app-config';
import { PrismaClient } from '../../generated/prisma/client';

@Injectable()
export class PrismaService extends PrismaClient implements OnApplicationShutdown {
  constructor(config: AppConfig) {
    super({ adapter: new PrismaPg({ connectionString: config.databaseUrl }) });
  }

  // After every module's onModuleDestroy, so workers finish their in-flight transactions first.
  async onApplicationShutdown(): Promise<void> {
    await this.$disconnect();
  }
}

/** The client handed to `$transaction(async (tx) => …)` callbacks. */
export type PrismaTransaction = Parameters<Parameters<PrismaService['$transaction']>[0]>[0];
