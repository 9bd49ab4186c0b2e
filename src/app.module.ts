import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { APP_FILTER, HttpAdapterHost } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { createRootLogger, loggerParams } from './common/logging.js';
import { RequestLogHook } from './common/request-log.hook.js';
import type { AppConfig } from './config/app-config.js';
import { HealthModule } from './health/health.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { OtpExceptionFilter } from 'nestjs-otp-verify';
import { OtpModule } from 'nestjs-otp-verify';

export interface AppModuleOptions {
  /** Where the JSON log goes; stdout unless a test captures it. */
  logDestination?: DestinationStream;
}

@Module({})
export class AppModule {
  /** `config` is validated already (loadAppConfig); it reaches the modules through ConfigService. */
  static forRoot(config: AppConfig, options: AppModuleOptions = {}): DynamicModule {
    const logger = createRootLogger(config.logLevel, options.logDestination);
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({ ignoreEnvFile: true, isGlobal: true, load: [() => config] }),
        LoggerModule.forRoot(loggerParams(logger)),
        MetricsModule,
        OtpModule.forRootAsync({
          isGlobal: true,
          inject: [ConfigService],
          useFactory: (configService: ConfigService<AppConfig, true>) =>
            configService.get('otp', { infer: true }),
        }),
        HealthModule,
      ],
      providers: [
        // Globally as well as on the controller: body parsing fails before any controller runs.
        { provide: APP_FILTER, useClass: OtpExceptionFilter },
        {
          provide: RequestLogHook,
          inject: [HttpAdapterHost],
          useFactory: (adapterHost: HttpAdapterHost) => new RequestLogHook(adapterHost, logger),
        },
      ],
    };
  }
}
