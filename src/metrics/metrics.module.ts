import { Global, Module } from '@nestjs/common';
import {
  FRAUD_GUARD_OBSERVER,
  SMS_DELIVERY_OBSERVER,
  WEBHOOK_DELIVERY_OBSERVER,
} from 'nestjs-otp-verify';
import { MetricsController } from './metrics.controller.js';
import { MetricsService } from './metrics.service.js';
import { OtpResponseHook } from './otp-response.hook.js';

/** Global so that OtpModule's SMS layer, fraud guard and webhooks find the observers without importing this module. */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [
    MetricsService,
    OtpResponseHook,
    { provide: SMS_DELIVERY_OBSERVER, useExisting: MetricsService },
    { provide: FRAUD_GUARD_OBSERVER, useExisting: MetricsService },
    { provide: WEBHOOK_DELIVERY_OBSERVER, useExisting: MetricsService },
  ],
  exports: [SMS_DELIVERY_OBSERVER, FRAUD_GUARD_OBSERVER, WEBHOOK_DELIVERY_OBSERVER],
})
export class MetricsModule {}
