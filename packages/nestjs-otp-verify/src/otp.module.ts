import { Logger, Module } from '@nestjs/common';
import { OtpApiKeys } from './auth/api-keys.js';
import { OtpApiKeyGuard } from './auth/otp-api-key.guard.js';
import { OtpTestNumbers } from './test-numbers/test-numbers.js';
import { OtpTokenSigner } from './token/otp-token-signer.js';
import { usedCaptchaTokensProvider } from './challenge/challenge.providers.js';
import { ChallengeService } from './challenge/challenge.service.js';
import { FraudAdminGuard } from './fraud/fraud-admin.guard.js';
import { FraudGuardService } from './fraud/fraud-guard.service.js';
import { fraudStoreProvider } from './fraud/fraud-guard.providers.js';
import {
  OTP_MODULE_OPTIONS,
  OTP_REDIS,
  OTP_SETTINGS,
  OTP_STORE,
  SMS_PROVIDER,
} from './otp.constants.js';
import { ConfigurableOtpModule } from './otp.module-definition.js';
import { resolveOtpSettings, type OtpModuleOptions, type OtpSettings } from './otp-options.js';
import { OtpController } from './otp.controller.js';
import { OtpService } from './otp.service.js';
import { OtpMessages } from './i18n/otp-messages.js';
import { smsProviderFactory } from './sms/sms-provider.factory.js';
import { OtpRedisLifecycle } from './store/otp-redis.lifecycle.js';
import { otpRedisProvider, otpStoreProvider } from './store/otp-store.providers.js';
import { otpThrottlerProviders } from './throttle/otp-throttler.providers.js';
import { OtpEvents } from './events/otp-events.js';
import { idempotencyStoreProvider } from './idempotency/idempotency.providers.js';
import { OtpIdempotency } from './idempotency/otp-idempotency.js';
import { OtpVerificationsController } from './verification/otp-verifications.controller.js';
import { OtpVerifications } from './verification/otp-verifications.service.js';
import { DeliveryReceipts } from './receipts/delivery-receipts.service.js';
import { PlivoSignature } from './receipts/plivo-signature.js';
import { CodeDeliveries } from './voice/code-delivery.js';
import { OtpVoiceCalls } from './voice/otp-voice-calls.js';
import { VoiceFallback } from './voice/voice-fallback.js';

@Module({
  // The JWKS, admin and callback controllers come with the extras that ask for them (module definition).
  controllers: [OtpController, OtpVerificationsController],
  providers: [
    {
      provide: OTP_SETTINGS,
      inject: [OTP_MODULE_OPTIONS],
      useFactory: (options: OtpModuleOptions) => resolveOtpSettings(options),
    },
    otpRedisProvider,
    otpStoreProvider,
    smsProviderFactory,
    OtpRedisLifecycle,
    OtpService,
    OtpMessages,
    ...otpThrottlerProviders,
    {
      provide: OtpTokenSigner,
      inject: [OTP_SETTINGS],
      useFactory: (settings: OtpSettings) => OtpTokenSigner.create(settings.token),
    },
    { provide: OtpApiKeys, inject: [OTP_SETTINGS], useFactory: (s: OtpSettings) => s.apiKeys },
    OtpApiKeyGuard,
    {
      provide: OtpTestNumbers,
      inject: [OTP_SETTINGS],
      useFactory: ({ testNumbers }: OtpSettings) => {
        // At warn: a test number in production is a login anyone who knows its code can use.
        if (testNumbers.size > 0) {
          new Logger('OtpModule').warn(
            `${testNumbers.size} test number(s) configured (${testNumbers.masked().join(', ')}): they receive no SMS and accept their fixed code`,
          );
        }
        return testNumbers;
      },
    },
    fraudStoreProvider,
    FraudGuardService,
    FraudAdminGuard,
    OtpEvents,
    OtpVerifications,
    idempotencyStoreProvider,
    OtpIdempotency,
    usedCaptchaTokensProvider,
    ChallengeService,
    DeliveryReceipts,
    PlivoSignature,
    OtpVoiceCalls,
    CodeDeliveries,
    VoiceFallback,
  ],
  exports: [
    OtpService,
    OtpMessages,
    OtpVerifications,
    OtpEvents,
    DeliveryReceipts,
    OTP_STORE,
    OTP_REDIS,
    SMS_PROVIDER,
    OTP_SETTINGS,
    OtpTokenSigner,
    OtpApiKeys,
    OtpTestNumbers,
    FraudGuardService,
    VoiceFallback,
  ],
})
export class OtpModule extends ConfigurableOtpModule {}
