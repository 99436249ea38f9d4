import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { Public } from '../auth/auth.decorators';
import { Database } from '../database/database';

/**
 * Probes for orchestrators (docker-compose and Dockerfile healthchecks, the test and bench harnesses); no API key,
 * no rate limit (docs/contracts.md). Liveness never checks a dependency, so a database outage makes the service
 * not ready (taken out of rotation) without getting the process restarted.
 */
@ApiTags('health')
@Public()
@SkipThrottle()
@Controller('health')
export class HealthController {
  constructor(private readonly db: Database) {}

  /** 200 `{ status: 'ok' }` whenever the process answers. */
  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process answers (never checks dependencies).' })
  @ApiOkResponse({ schema: { example: { status: 'ok' } } })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * 200 `{ status: 'ok', database: 'up' }` when the database answers `SELECT 1`.
   * @throws ServiceUnavailableException (503 problem+json `service_unavailable`) when it does not.
   */
  @Get('ready')
  @ApiOperation({ summary: 'Readiness: 200 when the database answers SELECT 1, 503 otherwise.' })
  @ApiOkResponse({ schema: { example: { status: 'ok', database: 'up' } } })
  @ApiServiceUnavailableResponse({ description: 'The database does not answer.' })
  async ready(): Promise<{ status: 'ok'; database: 'up' }> {
    try {
      await this.db.query('SELECT 1');
    } catch {
      throw new ServiceUnavailableException('Database is not reachable.');
    }
    return { status: 'ok', database: 'up' };
  }
}
