import { Module } from '@nestjs/common';
import { PaymentAnomaliesController } from './payment-anomalies.controller';
import { PaymentAnomaliesMetrics } from './payment-anomalies.metrics';
import { PaymentAnomaliesService } from './payment-anomalies.service';

@Module({ controllers: [PaymentAnomaliesController], providers: [PaymentAnomaliesService, PaymentAnomaliesMetrics] })
export class PaymentAnomaliesModule {}
