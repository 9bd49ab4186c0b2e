import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller.js';
import { StoreHealthIndicator } from './store.health.js';

@Module({
  imports: [TerminusModule],
  controllers: [HealthController],
  providers: [StoreHealthIndicator],
})
export class HealthModule {}
