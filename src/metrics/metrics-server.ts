import { Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { createServer, type Server } from 'node:http';
import { OtpErrorCode } from 'nestjs-otp-verify';
import { Registry } from 'prom-client';
import { errorBodyOf } from '../common/error-body.js';
import { pathOf } from '../common/request-path.js';
import { MetricsService } from './metrics.service.js';

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
      const answerError = (code: OtpErrorCode): void => {
        const { status, body } = errorBodyOf(code);
        response.writeHead(status, { 'Content-Type': 'application/json' });
        response.end(JSON.stringify(body));
      };
      if (request.method !== 'GET' || pathOf(request.url ?? '') !== '/metrics') {
        answerError(OtpErrorCode.NotFound);
        return;
      }
      this.metrics.registry.metrics().then(
        (text) => {
          response.writeHead(200, { 'Content-Type': Registry.PROMETHEUS_CONTENT_TYPE });
          response.end(text);
        },
        () => answerError(OtpErrorCode.InternalError),
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
