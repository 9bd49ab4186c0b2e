import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { APP_FILTER, HttpAdapterHost } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { createRootLogger, loggerParams } from './common/logging.js';
import { RequestLogHook } from './common/request-log.hook.js';
import { ServiceExceptionFilter } from './common/service-exception.filter.js';
import type { AppConfig } from './config/app-config.js';
import { HealthModule } from './health/health.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
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
        MetricsModule.forRoot(config.metricsPort),
        OtpModule.forRootAsync({
          isGlobal: true,
          // Without an admin key the admin routes do not exist: 404, and absent from /docs.
          fraudAdminRoutes: config.otp.fraudGuard?.adminApiKey !== undefined,
          // Providers call back only at a public URL: without one, the routes do not exist.
          callbackRoutes: config.otp.publicUrl !== undefined,
          inject: [ConfigService],
          useFactory: (configService: ConfigService<AppConfig, true>) =>
            configService.get('otp', { infer: true }),
        }),
        HealthModule,
      ],
      providers: [
        // Globally as well as the module's filter on its controllers: body parsing fails before
        // any controller runs, and unknown routes have none.
        { provide: APP_FILTER, useClass: ServiceExceptionFilter },
        {
          provide: RequestLogHook,
          inject: [HttpAdapterHost],
          useFactory: (adapterHost: HttpAdapterHost) => new RequestLogHook(adapterHost, logger),
        },
      ],
    };
  }
}
