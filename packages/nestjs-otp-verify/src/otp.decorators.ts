import { Inject, Optional } from '@nestjs/common';
import {
  FRAUD_GUARD_OBSERVER,
  FRAUD_STORE,
  OTP_REDIS,
  OTP_SETTINGS,
  OTP_STORE,
  SMS_DELIVERY_OBSERVER,
  SMS_PROVIDER,
  USED_CAPTCHA_TOKENS,
} from './otp.constants.js';

export const InjectOtpSettings = (): ParameterDecorator => Inject(OTP_SETTINGS);
export const InjectOtpStore = (): ParameterDecorator => Inject(OTP_STORE);
export const InjectOtpRedis = (): ParameterDecorator => Inject(OTP_REDIS);
export const InjectSmsProvider = (): ParameterDecorator => Inject(SMS_PROVIDER);
export const InjectSmsDeliveryObserver = (): ParameterDecorator => Inject(SMS_DELIVERY_OBSERVER);
export const InjectFraudStore = (): ParameterDecorator => Inject(FRAUD_STORE);
export const InjectUsedCaptchaTokens = (): ParameterDecorator => Inject(USED_CAPTCHA_TOKENS);
/** Optional: without an observer the fraud guard's decisions are only logged. */
export const InjectFraudGuardObserver = (): ParameterDecorator => (target, key, index) => {
  Optional()(target, key, index);
  Inject(FRAUD_GUARD_OBSERVER)(target, key, index);
};
