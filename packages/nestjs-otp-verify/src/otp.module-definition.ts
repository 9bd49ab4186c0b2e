import { ConfigurableModuleBuilder } from '@nestjs/common';
import { FraudAdminController } from './fraud/fraud-admin.controller.js';
import { OTP_CALLBACK_ROUTES, OTP_MODULE_OPTIONS } from './otp.constants.js';
import type { OtpModuleOptions } from './otp-options.js';
import { OtpJwksController } from './token/otp-jwks.controller.js';
import { PlivoStatusController } from './receipts/plivo-status.controller.js';
import { VoiceAnswerController } from './voice/voice-answer.controller.js';

/**
 * Options read when the module is defined, before any factory of `forRootAsync` has run:
 * which routes a host gets beside `otp/*` decides which controllers exist, and so what its
 * OpenAPI document shows.
 */
export interface OtpModuleExtras {
  /** Makes `OtpService` and the exported tokens injectable everywhere. Default `false`. */
  isGlobal: boolean;
  /** `GET /.well-known/jwks.json`, the keys that verify tokens. Default `true`. */
  jwksRoute: boolean;
  /** `/admin/fraud/*`, with `fraudGuard.adminApiKey` as its bearer key. Default `false`. */
  fraudAdminRoutes: boolean;
  /**
   * `otp/callbacks/plivo/*`, where Plivo calls back at `publicUrl`: delivery receipts (signed by
   * Plivo instead of an API key) and what a voice call speaks. Needed by receipts and voice
   * calls. Default `false`.
   */
  callbackRoutes: boolean;
}

/**
 * What `forRootAsync({ useClass })` or `forRootAsync({ useExisting })` names: a provider whose
 * `createOtpOptions()` returns the options, from a config service for instance.
 */
export interface OtpOptionsFactory {
  createOtpOptions(): OtpModuleOptions | Promise<OtpModuleOptions>;
}

const DEFAULT_EXTRAS: OtpModuleExtras = {
  isGlobal: false,
  jwksRoute: true,
  fraudAdminRoutes: false,
  callbackRoutes: false,
};

export const {
  ConfigurableModuleClass: ConfigurableOtpModule,
  OPTIONS_TYPE: OTP_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: OTP_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<OtpModuleOptions>({
  moduleName: 'Otp',
  optionsInjectionToken: OTP_MODULE_OPTIONS,
})
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createOtpOptions' satisfies keyof OtpOptionsFactory)
  .setExtras(DEFAULT_EXTRAS, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
    controllers: [
      ...(definition.controllers ?? []),
      ...(extras.jwksRoute ? [OtpJwksController] : []),
      ...(extras.fraudAdminRoutes ? [FraudAdminController] : []),
      ...(extras.callbackRoutes ? [PlivoStatusController, VoiceAnswerController] : []),
    ],
    providers: [
      ...(definition.providers ?? []),
      { provide: OTP_CALLBACK_ROUTES, useValue: extras.callbackRoutes },
    ],
  }))
  .build();

/** The argument of `OtpModule.forRoot()`: the options and the extras. */
export type OtpModuleForRootOptions = typeof OTP_OPTIONS_TYPE;
/** The argument of `OtpModule.forRootAsync()`: `useFactory`, `useClass` or `useExisting`, and the extras. */
export type OtpModuleAsyncOptions = typeof OTP_ASYNC_OPTIONS_TYPE;
