import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { InjectOtpStore, type OtpStore } from 'nestjs-otp-verify';

/** Up when the code store answers: Redis (or the cluster) when configured, else always. */
@Injectable()
export class StoreHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    @InjectOtpStore() private readonly store: OtpStore,
  ) {}

  async isHealthy(key: string) {
    const indicator = this.indicators.check(key);
    try {
      await this.store.ping();
      return indicator.up();
    } catch {
      return indicator.down({ message: 'store does not answer' });
    }
  }
}
