import { Module } from '@nestjs/common';
import { randomHashSecret } from './code/otp-code.js';
import {
  OTP_MODULE_OPTIONS,
  OTP_REDIS,
  OTP_SETTINGS,
  OTP_STORE,
  SMS_PROVIDER,
} from './otp.constants.js';
import { ConfigurableOtpModule } from './otp.module-definition.js';
import { resolveOtpSettings, type OtpModuleOptions } from './otp-options.js';
import { OtpController } from './otp.controller.js';
import { OtpService } from './otp.service.js';
import { smsProviderFactory } from './sms/sms-provider.factory.js';
import { OtpRedisLifecycle } from './store/otp-redis.lifecycle.js';
import { otpRedisProvider, otpStoreProvider } from './store/otp-store.providers.js';
import { otpThrottlerProviders } from './throttle/otp-throttler.providers.js';

@Module({
  controllers: [OtpController],
  providers: [
    {
      provide: OTP_SETTINGS,
      inject: [OTP_MODULE_OPTIONS],
      useFactory: (options: OtpModuleOptions) => resolveOtpSettings(options, randomHashSecret),
    },
    otpRedisProvider,
    otpStoreProvider,
    smsProviderFactory,
    OtpRedisLifecycle,
    OtpService,
    ...otpThrottlerProviders,
  ],
  exports: [OtpService, OTP_STORE, OTP_REDIS, SMS_PROVIDER, OTP_SETTINGS],
})
export class OtpModule extends ConfigurableOtpModule {}
