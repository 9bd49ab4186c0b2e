export { OtpModule } from './otp.module.js';
export type {
  OtpModuleAsyncOptions,
  OtpModuleExtras,
  OtpModuleForRootOptions,
  OtpOptionsFactory,
} from './otp.module-definition.js';
export * from './otp.constants.js';
export * from './otp.decorators.js';
export * from './otp-options.js';
export * from './otp.errors.js';
export { OtpService } from './otp.service.js';
export type {
  OtpChannel,
  OtpRequestOptions,
  OtpRequestResult,
  OtpVerifyResult,
} from './otp-results.js';
export { OtpMessages, type VoiceMessage } from './i18n/otp-messages.js';
export {
  answeredErrorCodeOf,
  OtpExceptionFilter,
  OtpRouteExceptionFilter,
} from './otp-exception.filter.js';
export { toErrorResponse, type ErrorResponse } from './otp-error-response.js';
export type { OtpStore } from './store/otp-store.js';
export type { RedisClient } from './store/redis-connection.js';
export type { SmsFailureKind, SmsMessage, SmsProvider, SmsSent } from './sms/sms-provider.js';
export { SmsDeliveryError } from './sms/resilient-sms.provider.js';
export type {
  SmsDeliveryEvent,
  SmsDeliveryObserver,
  SmsDeliveryStatusEvent,
  VoiceCallEvent,
} from './sms/sms-delivery-observer.js';
export { DeliveryReceipts } from './receipts/delivery-receipts.service.js';
export type { DeliveryReceipt, ReceiptStatus } from './receipts/delivery-receipt.js';
export { CALLBACK_BODY_LIMIT_BYTES } from './receipts/callback-form.guard.js';
export { PLIVO_STATUS_ROUTE } from './receipts/plivo-receipt.js';
export { maskPhoneNumber, NUMBER_TYPES } from './phone/phone-number.js';
export { OtpTokenSigner } from './token/otp-token-signer.js';
export type {
  OtpJwks,
  OtpPublicJwk,
  OtpTokenAlgorithm,
  OtpVerificationToken,
} from './token/otp-token-signer.js';
export { OtpJwksController } from './token/otp-jwks.controller.js';
export * from './token/token-options.js';
export { OtpApiKeys, OTP_API_KEY_MIN_LENGTH, type OtpApiKeysOption } from './auth/api-keys.js';
export { OtpApiKeyGuard, apiKeyNameOf } from './auth/otp-api-key.guard.js';
export { OtpTestNumbers, type OtpTestNumbersOption } from './test-numbers/test-numbers.js';
export { FraudGuardService } from './fraud/fraud-guard.service.js';
export { PREFIX_DIGITS } from './fraud/fraud-guard-options.js';
export type {
  OtpFraudGuardOptions,
  OtpGlobalSendLimits,
  FraudGuardMode,
} from './fraud/fraud-guard-options.js';
export type {
  FraudGuardDecision,
  FraudGuardDecisionEvent,
  FraudGuardObserver,
  GlobalBudgetWarningEvent,
} from './fraud/fraud-guard-observer.js';
export { OtpVerifications } from './verification/otp-verifications.service.js';
export { isVerificationId } from './verification/verification-id.js';
export type {
  VerificationAttemptView,
  VerificationStatus,
  VerificationView,
} from './verification/verification.js';
export { OtpEvents } from './events/otp-events.js';
export type {
  FraudEventData,
  OtpEvent,
  OtpEventType,
  WebhookDeliveryObserver,
  WebhookOutcome,
} from './events/otp-event.js';
export type { OtpWebhookOptions } from './events/webhook-options.js';
export type {
  CaptchaProviderName,
  ChallengeMode,
  OtpChallengeOptions,
} from './challenge/challenge-options.js';
export type { ChallengeContext } from './challenge/challenge.service.js';
export { VoiceFallback, type VoiceFallbackOutcome } from './voice/voice-fallback.js';
export type { OtpVoiceOptions, VoiceFallbackMode } from './voice/voice-options.js';
