import { DynamicModule, Module } from '@nestjs/common';
import { IncomingMessage } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import pino from 'pino';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { PaymentsModule } from './payments/payments.module';
import { PlatformModule } from './platform/platform.module';
import { WebhooksModule } from './webhooks/webhooks.module';

/** Never logged: credentials and webhook signatures. */
const REDACTED_PATHS = ['req.headers.authorization', 'req.headers.cookie', 'req.headers["webhook-signature"]'];

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot({
          pinoHttp: [
            {
              level: config.logLevel,
              // Fastify's request id (see requestIdFor), copied onto the raw request by @fastify/middie.
              genReqId: (request: IncomingMessage) => request.id,
              // Bind only the request id to loggers used while serving a request: every line carries `reqId`.
              quietReqLogger: true,
              redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
              // Probes every few seconds would drown the useful lines.
              autoLogging: { ignore: (request: IncomingMessage & { originalUrl?: string }) => (request.originalUrl ?? request.url ?? '').startsWith('/health') },
              serializers: { res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }) },
            },
            // Asynchronous writes: a log line costs no write(2) of its own under load; pino flushes the buffer at exit.
            pino.destination({ sync: false }),
          ],
        }),
        PlatformModule,
        WebhooksModule,
        PaymentsModule,
      ],
    };
  }
}
