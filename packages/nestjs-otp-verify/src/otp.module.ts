import { Logger, Module } from '@nestjs/common';
import { OtpApiKeyGuard } from './auth/otp-api-key.guard.js';
import { OtpApiKeys, resolveOtpApiKeys } from './auth/api-keys.js';
import { OtpTestNumbers, resolveOtpTestNumbers } from './test-numbers/test-numbers.js';
import { OtpJwksController } from './token/otp-jwks.controller.js';
import { OtpTokenSigner } from './token/otp-token-signer.js';
import { resolveOtpTokenSettings } from './token/token-options.js';
import { randomHashSecret } from './code/otp-code.js';
import { ConfigurableOtpModule, OTP_MODULE_OPTIONS } from './otp.module-definition.js';
import {
  OTP_SETTINGS,
  resolveOtpSettings,
  type OtpModuleOptions,
  type OtpSettings,
} from './otp-options.js';
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
  controllers: [OtpController, OtpJwksController],
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
    {
      provide: OtpTokenSigner,
      inject: [OTP_MODULE_OPTIONS],
      useFactory: (options: OtpModuleOptions) =>
        OtpTokenSigner.create(resolveOtpTokenSettings(options.token)),
    },
    {
      provide: OtpApiKeys,
      inject: [OTP_MODULE_OPTIONS],
      useFactory: (options: OtpModuleOptions) => resolveOtpApiKeys(options.apiKeys),
    },
    OtpApiKeyGuard,
    {
      provide: OtpTestNumbers,
      inject: [OTP_MODULE_OPTIONS, OTP_SETTINGS],
      useFactory: (options: OtpModuleOptions, settings: OtpSettings) => {
        const testNumbers = resolveOtpTestNumbers(options.testNumbers, settings.codeLength);
        if (testNumbers.size > 0) {
          new Logger('OtpModule').log(
            `${testNumbers.size} test number(s) configured: they receive no SMS and accept their fixed code`,
          );
        }
        return testNumbers;
      },
    },
  ],
  exports: [
    OtpService,
    OTP_STORE,
    OTP_REDIS,
    SMS_PROVIDER,
    OTP_SETTINGS,
    OtpTokenSigner,
    OtpApiKeys,
    OtpTestNumbers,
  ],
})
export class OtpModule extends ConfigurableOtpModule {}
