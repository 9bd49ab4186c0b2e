import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { createApp } from './app.factory.js';
import { ConfigError, loadAppConfig } from './config/app-config.js';

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
}

void bootstrap();
