import { expect } from '@jest/globals';
import { ConfigError, loadAppConfig } from '../../src/config/app-config.js';

/** The message of a configuration `loadAppConfig` must refuse; fails the test if it is accepted. */
export function problemsOf(env: NodeJS.ProcessEnv): string {
  try {
    loadAppConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected the configuration to be refused');
}
