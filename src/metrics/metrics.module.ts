import { type DynamicModule, Global, Module } from '@nestjs/common';
import { FRAUD_GUARD_OBSERVER, SMS_DELIVERY_OBSERVER } from 'nestjs-otp-verify';
import { MetricsController } from './metrics.controller.js';
import { MetricsServer } from './metrics-server.js';
import { MetricsService } from './metrics.service.js';
import { OtpResponseHook } from './otp-response.hook.js';

/** Global so that OtpModule's SMS layer and fraud guard find the observers without importing this module. */
@Global()
@Module({})
export class MetricsModule {
  /** With `metricsPort`, `/metrics` is served on that port alone, not by the application. */
  static forRoot(metricsPort?: number): DynamicModule {
    return {
      module: MetricsModule,
      controllers: metricsPort === undefined ? [MetricsController] : [],
      providers: [
        MetricsService,
        OtpResponseHook,
        { provide: SMS_DELIVERY_OBSERVER, useExisting: MetricsService },
        { provide: FRAUD_GUARD_OBSERVER, useExisting: MetricsService },
        ...(metricsPort === undefined
          ? []
          : [
              {
                provide: MetricsServer,
                inject: [MetricsService],
                useFactory: (metrics: MetricsService) => new MetricsServer(metrics, metricsPort),
              },
            ]),
      ],
      exports: [SMS_DELIVERY_OBSERVER, FRAUD_GUARD_OBSERVER],
    };
  }
}
