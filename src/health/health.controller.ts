import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import {
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { StoreHealthIndicator } from './store.health.js';

/** What the probes answer, with the key this service uses (terminus's own example says `database`). */
const healthBody = (status: 'ok' | 'error', store: 'up' | 'down', checks: boolean) => {
  const details = checks ? { store: { status: store } } : {};
  return {
    status,
    info: store === 'up' ? details : {},
    error: store === 'down' ? details : {},
    details,
  };
};

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly store: StoreHealthIndicator,
  ) {}

  /** The process runs and serves HTTP; nothing else is checked, so a Redis outage never restarts it. */
  @Get('live')
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOperation({
    summary: 'Liveness',
    description: '200 while the process runs and serves HTTP; the store is not checked.',
  })
  @ApiOkResponse({ description: 'The process runs', example: healthBody('ok', 'up', false) })
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOperation({
    summary: 'Readiness',
    description:
      '200 when the store takes writes (Redis or the cluster, if configured); 503 when it is unreachable, out of memory, refuses the credentials or the cluster is down.',
  })
  @ApiOkResponse({ description: 'The store takes writes', example: healthBody('ok', 'up', true) })
  @ApiServiceUnavailableResponse({
    description: 'The store cannot take writes',
    example: healthBody('error', 'down', true),
  })
  ready() {
    return this.health.check([() => this.store.isHealthy('store')]);
  }
}
