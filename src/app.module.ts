import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { APP_FILTER } from '@nestjs/core';
import type { AppConfig } from './config/app-config.js';
import { HealthModule } from './health/health.module.js';
import { OtpExceptionFilter } from './otp/otp-exception.filter.js';
import { OtpModule } from './otp/otp.module.js';

@Module({})
export class AppModule {
  /** `config` is validated already (loadAppConfig); it reaches the modules through ConfigService. */
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({ ignoreEnvFile: true, isGlobal: true, load: [() => config] }),
        OtpModule.forRootAsync({
          isGlobal: true,
          inject: [ConfigService],
          useFactory: (configService: ConfigService<AppConfig, true>) =>
            configService.get('otp', { infer: true }),
        }),
        HealthModule,
      ],
      // Globally as well as on the controller: body parsing fails before any controller runs.
      providers: [{ provide: APP_FILTER, useClass: OtpExceptionFilter }],
    };
  }
}
