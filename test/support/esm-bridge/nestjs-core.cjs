/* global module */
module.exports = globalThis[Symbol.for('otp.jest.esm-bridge')]['@nestjs/core'];
