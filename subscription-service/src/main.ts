import './tracing'; // first: instruments the modules below as they load
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import { configureApp, createFastifyAdapter, NEST_APP_OPTIONS } from './app.setup';
import { AppConfig } from './config/app-config';
import { InvalidEnvironmentError, validateEnvironment } from './config/environment';
import { createLogger } from './platform/logging/logger';

async function bootstrap(): Promise<void> {
  let config: AppConfig;
  try {
    config = new AppConfig(validateEnvironment(process.env));
  } catch (error) {
    if (error instanceof InvalidEnvironmentError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot({ config, logger }),
    createFastifyAdapter(logger, config.trustedProxies),
    NEST_APP_OPTIONS,
  );
  configureApp(app);
  await app.listen(config.port, '0.0.0.0');
}

void bootstrap();
