import type { FactoryProvider } from '@nestjs/common';
import { OTP_SETTINGS, SMS_DELIVERY_OBSERVER, SMS_PROVIDER } from '../otp.constants.js';
import type { OtpSettings, PlivoOptions, SmsProviderName } from '../otp-options.js';
import { ConsoleSmsProvider } from './console-sms.provider.js';
import { smsRetryPolicy } from './provider-retries.js';
import { type ClassifiedSmsProvider, ResilientSmsProvider } from './resilient-sms.provider.js';
import type { SmsDeliveryObserver } from './sms-delivery-observer.js';
import type { SmsProvider } from './sms-provider.js';
import { plivoStatusCallbackUrl } from '../receipts/plivo-receipt.js';

type SmsProviderBuilder = (settings: OtpSettings) => Promise<ClassifiedSmsProvider>;

const PLIVO_VARIABLES: Record<keyof PlivoOptions, string> = {
  authId: 'PLIVO_AUTH_ID',
  authToken: 'PLIVO_AUTH_TOKEN',
  sender: 'PLIVO_SENDER',
  baseUrl: 'PLIVO_BASE_URL',
};

/** Host apps skip the environment validation, so the credentials are checked here as well. */
function requirePlivoOptions(sms: OtpSettings['sms']): PlivoOptions {
  const plivo = sms.plivo;
  for (const key of ['authId', 'authToken', 'sender'] as const) {
    if (!plivo?.[key]) {
      throw new Error(
        `SMS provider plivo needs ${PLIVO_VARIABLES[key]} (OtpModule option sms.plivo.${key})`,
      );
    }
  }
  return plivo as PlivoOptions;
}

/**
 * The SDKs are optional peer dependencies: a host app installs only the one it chose, so each
 * provider's file (and its SDK) is imported only when that provider is configured.
 */
async function importProvider<T>(
  load: () => Promise<T>,
  sdk: string,
  provider: string,
): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const missing = (error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND';
    if (missing && String((error as Error).message).includes(`'${sdk}'`)) {
      throw new Error(`SMS provider ${provider} needs the package ${sdk}: npm install ${sdk}`, {
        cause: error,
      });
    }
    throw error;
  }
}

const BUILDERS: Record<SmsProviderName, SmsProviderBuilder> = {
  console: async () => ({
    provider: new ConsoleSmsProvider(),
    classify: () => ({ kind: 'permanent', reason: 'console' }),
  }),
  plivo: async ({ sms, publicUrl }) => {
    const plivoOptions = requirePlivoOptions(sms);
    const { PlivoSmsProvider, classifyPlivoError } = await importProvider(
      () => import('./plivo-sms.provider.js'),
      'plivo',
      'plivo',
    );
    return {
      provider: new PlivoSmsProvider(
        plivoOptions,
        sms.timeoutMs,
        publicUrl && plivoStatusCallbackUrl(publicUrl),
      ),
      classify: classifyPlivoError,
    };
  },
  sns: async ({ sms }) => {
    const { SnsSmsProvider, classifySnsError } = await importProvider(
      () => import('./sns-sms.provider.js'),
      '@aws-sdk/client-sns',
      'sns',
    );
    const provider = new SnsSmsProvider(sms.sns);
    await provider.assertConfigured();
    return { provider, classify: classifySnsError };
  },
};

/**
 * Binds SMS_PROVIDER: the configured provider, retried within its deadline, then the fallback
 * provider if one is set, within `SMS_MAX_ATTEMPTS` calls in all. OtpService sees one SmsProvider and nothing of this.
 */
export const smsProviderFactory: FactoryProvider<SmsProvider> = {
  provide: SMS_PROVIDER,
  inject: [OTP_SETTINGS, { token: SMS_DELIVERY_OBSERVER, optional: true }],
  useFactory: async (settings: OtpSettings, observer?: SmsDeliveryObserver) => {
    const { sms } = settings;
    const names = new Set([sms.provider, sms.fallbackProvider]);
    const providers = await Promise.all(
      [...names]
        .filter((name): name is SmsProviderName => name !== undefined)
        .map((name) => BUILDERS[name](settings)),
    );
    return new ResilientSmsProvider(providers, smsRetryPolicy(settings), observer);
  },
};
