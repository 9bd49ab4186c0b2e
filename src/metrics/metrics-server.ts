import { Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { createServer, type Server } from 'node:http';
import { OtpError, OtpErrorCode, toErrorResponse } from 'nestjs-otp-verify';
import { Registry } from 'prom-client';
import { MetricsService } from './metrics.service.js';

const NOT_FOUND = toErrorResponse(new OtpError(OtpErrorCode.NotFound))!;

/**
 * `/metrics` on `METRICS_PORT`, a port of its own, so it need not be reachable where the API
 * is: a small node:http server, with nothing of the application's pipeline, and nothing else
 * on it.
 */
export class MetricsServer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Metrics');
  private readonly server: Server;

  constructor(
    private readonly metrics: MetricsService,
    private readonly port: number,
  ) {
    this.server = createServer((request, response) => {
      const path = (request.url ?? '').split('?')[0];
      if (request.method !== 'GET' || path !== '/metrics') {
        response.writeHead(NOT_FOUND.status, { 'Content-Type': 'application/json' });
        response.end(JSON.stringify(NOT_FOUND.body));
        return;
      }
      this.metrics.registry.metrics().then(
        (text) => {
          response.writeHead(200, { 'Content-Type': Registry.PROMETHEUS_CONTENT_TYPE });
          response.end(text);
        },
        () => {
          response.writeHead(500).end();
        },
      );
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, '0.0.0.0', () => resolve());
    });
    this.logger.log(`Metrics at http://0.0.0.0:${this.port}/metrics`);
  }

  async onModuleDestroy(): Promise<void> {
    if (!this.server.listening) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
