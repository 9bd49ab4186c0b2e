import { Module } from '@nestjs/common';
import { randomHashSecret } from './code/otp-code.js';
import { FraudAdminController } from './fraud/fraud-admin.controller.js';
import { FraudAdminGuard } from './fraud/fraud-admin.guard.js';
import { FraudGuardService } from './fraud/fraud-guard.service.js';
import { fraudGuardSettingsProvider, fraudStoreProvider } from './fraud/fraud-guard.providers.js';
import { ConfigurableOtpModule, OTP_MODULE_OPTIONS } from './otp.module-definition.js';
import { OTP_SETTINGS, resolveOtpSettings, type OtpModuleOptions } from './otp-options.js';
import { OtpController } from './otp.controller.js';
import { OtpService } from './otp.service.js';
import { smsProviderFactory } from './sms/sms-provider.factory.js';
import { SMS_PROVIDER } from './sms/sms-provider.js';
import { OtpRedisLifecycle } from './store/otp-redis.lifecycle.js';
import { otpRedisProvider, otpStoreProvider } from './store/otp-store.providers.js';
import { OTP_STORE } from './store/otp-store.js';
import { OTP_REDIS } from './store/redis-connection.js';
import { otpThrottlerProviders } from './throttle/otp-throttler.providers.js';

@Module({
  controllers: [OtpController, FraudAdminController],
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
    fraudGuardSettingsProvider,
    fraudStoreProvider,
    FraudGuardService,
    FraudAdminGuard,
  ],
  exports: [OtpService, OTP_STORE, OTP_REDIS, SMS_PROVIDER, OTP_SETTINGS, FraudGuardService],
})
export class OtpModule extends ConfigurableOtpModule {}
