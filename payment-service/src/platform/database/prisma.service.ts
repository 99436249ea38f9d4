import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../../generated/prisma/client';
import { Database } from './database';

/** Prisma on the service's one pool (see Database), for the queries that are not on the money path. */
@Injectable()
export class PrismaService extends PrismaClient implements OnApplicationShutdown {
  constructor(database: Database) {
    super({ adapter: new PrismaPg(database.pool) });
  }

  /** Last of the shutdown hooks, so workers stopping in beforeApplicationShutdown can still write. */
  async onApplicationShutdown(): Promise<void> {
    await this.$disconnect();
  }
}
