/** Imports what resolver.cjs hands to CommonJS requires; runs before each test file. */
(globalThis as Record<symbol, unknown>)[Symbol.for('otp.jest.esm-bridge')] = {
  '@nestjs/common': await import('@nestjs/common'),
  '@nestjs/core': await import('@nestjs/core'),
};
