/**
 * Jest's CommonJS loader cannot require() an ES module below Node 24.9, though Node 20.19 can.
 * CommonJS packages built for Nest (@nestjs/throttler) require the ES-only @nestjs/common and
 * @nestjs/core: such a require is answered with the very module instances the ES side imported
 * (see setup.ts), so decorators, tokens and classes such as Reflector are shared, not copied.
 */
/* global module, require, __dirname */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const path = require('node:path');

const BRIDGED = new Set(['@nestjs/common', '@nestjs/core']);

module.exports = (request, options) => {
  if (BRIDGED.has(request) && !options.conditions?.includes('import')) {
    return path.join(__dirname, `${request.replace('@nestjs/', 'nestjs-')}.cjs`);
  }
  return options.defaultResolver(request, options);
};
