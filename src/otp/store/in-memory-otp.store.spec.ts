import { describeOtpStoreContract } from '../../../test/support/otp-store-contract.js';
import { InMemoryOtpStore } from './in-memory-otp.store.js';

describeOtpStoreContract('in memory', async () => ({
  store: new InMemoryOtpStore(),
  cleanup: async () => undefined,
}));
