import type { FactoryProvider } from '@nestjs/common';
import { OTP_MODULE_OPTIONS } from '../otp.module-definition.js';
import type { OtpModuleOptions, SmsProviderName } from '../otp-options.js';
import { ConsoleSmsProvider } from './console-sms.provider.js';
import { SMS_PROVIDER, type SmsProvider } from './sms-provider.js';

type SmsProviderBuilder = (options: OtpModuleOptions) => SmsProvider;

const BUILDERS: Record<SmsProviderName, SmsProviderBuilder> = {
  console: () => new ConsoleSmsProvider(),
  plivo: () => {
    throw new Error('SMS provider plivo is not available yet');
  },
  sns: () => {
    throw new Error('SMS provider sns is not available yet');
  },
};

export const smsProviderFactory: FactoryProvider<SmsProvider> = {
  provide: SMS_PROVIDER,
  inject: [OTP_MODULE_OPTIONS],
  useFactory: (options: OtpModuleOptions) => BUILDERS[options.sms?.provider ?? 'console'](options),
};
