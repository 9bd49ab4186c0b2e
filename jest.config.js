/** Native ESM mode: Nest 12 ships ES modules only, which jest's CommonJS loader cannot require on Node 20. */
export default {
  testEnvironment: 'node',
  rootDir: '.',
  roots: ['<rootDir>/src', '<rootDir>/test', '<rootDir>/packages', '<rootDir>/deploy'],
  modulePathIgnorePatterns: ['<rootDir>/packages/.*/dist/'],
  testRegex: '.*\\.(spec|e2e-spec)\\.ts$',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // The service's source and the module's source run together, as one copy of each class.
    '^nestjs-otp-verify$': '<rootDir>/packages/nestjs-otp-verify/src/index.ts',
    // Its ES build imports JSON without an import attribute, which jest warns about on every load.
    '^libphonenumber-js/max$': '<rootDir>/node_modules/libphonenumber-js/max/index.cjs',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
    // @fastify/static (CommonJS, loaded by Swagger UI) requires this ES-only package; Node 20.19
    // allows that, jest's loader does not until Node 24.9, so it is compiled to CommonJS here.
    '/node_modules/content-disposition/.+\\.js$': [
      'ts-jest',
      {
        useESM: false,
        tsconfig: {
          allowJs: true,
          module: 'commonjs',
          moduleResolution: 'node10',
          isolatedModules: true,
        },
      },
    ],
  },
  // CommonJS packages that require @nestjs/common or @nestjs/core get the ES modules' instances.
  resolver: '<rootDir>/test/support/esm-bridge/resolver.cjs',
  setupFiles: [
    '<rootDir>/test/support/esm-bridge/setup.ts',
    '<rootDir>/test/support/worker-stdin.ts',
  ],
  // A missing redis-server fails the run at once; without REDIS_URL the run starts its own Redis.
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  transformIgnorePatterns: ['/node_modules/(?!content-disposition/)'],
  testTimeout: 30000,
  maxWorkers: 2,
};
