/**
 * Every injection token of the module. Each swappable part is bound to one of these by a single
 * provider; consumers depend on the token and never ask which implementation they got.
 */
export const OTP_MODULE_OPTIONS = Symbol('OTP_MODULE_OPTIONS');
/** The options with defaults applied and bounds checked: what the module's providers inject. */
export const OTP_SETTINGS = Symbol('OTP_SETTINGS');
export const OTP_STORE = Symbol('OTP_STORE');
/** The module's Redis connection, or null with the in-memory store. */
export const OTP_REDIS = Symbol('OTP_REDIS');
export const SMS_PROVIDER = Symbol('SMS_PROVIDER');
/** Optional: a host app (or the standalone service's metrics) learns of every SMS delivery. */
export const SMS_DELIVERY_OBSERVER = Symbol('SMS_DELIVERY_OBSERVER');
/** The fraud guard's counters: on the module's Redis, or in memory. */
export const FRAUD_STORE = Symbol('FRAUD_STORE');
/** Optional: learns of every fraud guard decision (the standalone service's metrics). */
export const FRAUD_GUARD_OBSERVER = Symbol('FRAUD_GUARD_OBSERVER');
/** Optional: learns of every webhook delivery and the queue's depth (the service's metrics). */
export const WEBHOOK_DELIVERY_OBSERVER = Symbol('WEBHOOK_DELIVERY_OBSERVER');
/** Idempotency keys of `POST otp/request`: on the module's Redis, or in memory. */
export const IDEMPOTENCY_STORE = Symbol('IDEMPOTENCY_STORE');
/** Used CAPTCHA tokens, remembered across instances. */
export const USED_CAPTCHA_TOKENS = Symbol('USED_CAPTCHA_TOKENS');
/** Whether the module serves its provider callback routes (the `callbackRoutes` extra). */
export const OTP_CALLBACK_ROUTES = Symbol('OTP_CALLBACK_ROUTES');
