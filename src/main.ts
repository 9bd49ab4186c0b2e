import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory.js';
import { type AppConfig, ConfigError, loadAppConfig } from './config/app-config.js';

/** Orchestrators kill after their own grace period (Kubernetes: 30 s); leave before that. */
const SHUTDOWN_DEADLINE_MS = 10_000;

async function bootstrap(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  let config;
  try {
    config = loadAppConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
  const app = await createApp(config);
  // A client that never finishes its request must not hold the process past the deadline.
  const deadline = () => setTimeout(() => process.exit(1), SHUTDOWN_DEADLINE_MS).unref();
  process.once('SIGTERM', deadline).once('SIGINT', deadline);
  await app.listen(config.port, '0.0.0.0');
  const logger = new Logger('Bootstrap');
  logger.log(startupLine(config));
  for (const warning of config.warnings) logger.warn(warning);
}

/** Where it listens and what it chose, so an operator sees a wrong store or provider at once. */
function startupLine(config: AppConfig): string {
  const redis = config.otp.redis;
  const store = !redis ? 'memory' : 'clusterNodes' in redis ? 'cluster' : 'redis';
  const sms = config.otp.sms;
  const provider = sms?.fallbackProvider
    ? `${sms.provider} (fallback ${sms.fallbackProvider})`
    : sms?.provider;
  const base = `http://localhost:${config.port}`;
  const metrics =
    config.metricsPort === undefined
      ? ''
      : `; metrics at http://localhost:${config.metricsPort}/metrics only`;
  return `Listening on 0.0.0.0:${config.port}; docs at ${base}/docs${metrics}; store: ${store}; SMS provider: ${provider}`;
}

// A refusal at start-up (such as an evicting Redis in production) is one line, never a stack.
bootstrap().catch((error: unknown) => {
  console.error(`Start-up failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
