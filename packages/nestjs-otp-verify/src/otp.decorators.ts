import { Inject } from '@nestjs/common';
import {
  OTP_REDIS,
  OTP_SETTINGS,
  OTP_STORE,
  SMS_DELIVERY_OBSERVER,
  SMS_PROVIDER,
} from './otp.constants.js';

export const InjectOtpSettings = (): ParameterDecorator => Inject(OTP_SETTINGS);
export const InjectOtpStore = (): ParameterDecorator => Inject(OTP_STORE);
export const InjectOtpRedis = (): ParameterDecorator => Inject(OTP_REDIS);
export const InjectSmsProvider = (): ParameterDecorator => Inject(SMS_PROVIDER);
export const InjectSmsDeliveryObserver = (): ParameterDecorator => Inject(SMS_DELIVERY_OBSERVER);
