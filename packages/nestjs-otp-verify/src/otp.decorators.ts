import { Inject, Optional } from '@nestjs/common';
import {
  FRAUD_GUARD_OBSERVER,
  FRAUD_STORE,
  OTP_REDIS,
  OTP_SETTINGS,
  OTP_STORE,
  SMS_DELIVERY_OBSERVER,
  SMS_PROVIDER,
  WEBHOOK_DELIVERY_OBSERVER,
  IDEMPOTENCY_STORE,
  USED_CAPTCHA_TOKENS,
} from './otp.constants.js';

export const InjectOtpSettings = (): ParameterDecorator => Inject(OTP_SETTINGS);
export const InjectOtpStore = (): ParameterDecorator => Inject(OTP_STORE);
export const InjectOtpRedis = (): ParameterDecorator => Inject(OTP_REDIS);
export const InjectSmsProvider = (): ParameterDecorator => Inject(SMS_PROVIDER);
export const InjectSmsDeliveryObserver = (): ParameterDecorator => Inject(SMS_DELIVERY_OBSERVER);
export const InjectFraudStore = (): ParameterDecorator => Inject(FRAUD_STORE);
export const InjectIdempotencyStore = (): ParameterDecorator => Inject(IDEMPOTENCY_STORE);
const InjectOptional =
  (token: symbol): ParameterDecorator =>
  (target, key, index) => {
    Optional()(target, key, index);
    Inject(token)(target, key, index);
  };
export const InjectUsedCaptchaTokens = (): ParameterDecorator => Inject(USED_CAPTCHA_TOKENS);
/** Optional: without an observer the fraud guard's decisions are only logged. */
export const InjectFraudGuardObserver = (): ParameterDecorator =>
  InjectOptional(FRAUD_GUARD_OBSERVER);
/** Optional: without an observer webhook deliveries are only logged when dropped. */
export const InjectWebhookObserver = (): ParameterDecorator =>
  InjectOptional(WEBHOOK_DELIVERY_OBSERVER);
