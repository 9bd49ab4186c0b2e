import { ConfigurableModuleBuilder } from '@nestjs/common';
import { OTP_MODULE_OPTIONS } from './otp.constants.js';
import type { OtpModuleOptions } from './otp-options.js';

export const {
  ConfigurableModuleClass: ConfigurableOtpModule,
  OPTIONS_TYPE: OTP_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: OTP_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<OtpModuleOptions>({
  moduleName: 'Otp',
  optionsInjectionToken: OTP_MODULE_OPTIONS,
})
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: false }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();
