import { Global, Module } from '@nestjs/common';
import { SMS_DELIVERY_OBSERVER } from 'nestjs-otp-verify';
import { MetricsController } from './metrics.controller.js';
import { MetricsService } from './metrics.service.js';
import { OtpResponseHook } from './otp-response.hook.js';

/** Global so that OtpModule's SMS layer finds the observer without importing this module. */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [
    MetricsService,
    OtpResponseHook,
    { provide: SMS_DELIVERY_OBSERVER, useExisting: MetricsService },
  ],
  exports: [SMS_DELIVERY_OBSERVER],
})
export class MetricsModule {}
