export { OtpModule } from './otp.module.js';
export { OTP_MODULE_OPTIONS } from './otp.module-definition.js';
export * from './otp-options.js';
export * from './otp.errors.js';
export { OtpService } from './otp.service.js';
export type { OtpChannel, OtpRequestResult, OtpVerifyResult } from './otp.service.js';
export { OtpExceptionFilter } from './otp-exception.filter.js';
export { toErrorResponse } from './otp-error-response.js';
export { InjectOtpStore, OTP_STORE, type OtpStore } from './store/otp-store.js';
export { OTP_REDIS, type RedisClient } from './store/redis-connection.js';
export { SMS_PROVIDER, type SmsMessage, type SmsProvider } from './sms/sms-provider.js';
export {
  SMS_DELIVERY_OBSERVER,
  type SmsDeliveryEvent,
  type SmsDeliveryObserver,
} from './sms/sms-delivery-observer.js';
export { maskPhoneNumber, NUMBER_TYPES } from './phone/phone-number.js';
export { FraudGuardService } from './fraud/fraud-guard.service.js';
export type { OtpFraudGuardOptions, FraudGuardMode } from './fraud/fraud-guard-options.js';
export {
  FRAUD_GUARD_OBSERVER,
  type FraudGuardDecision,
  type FraudGuardDecisionEvent,
  type FraudGuardObserver,
} from './fraud/fraud-guard-observer.js';
