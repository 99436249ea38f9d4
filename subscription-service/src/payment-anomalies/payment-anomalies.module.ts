import { Module } from '@nestjs/common';
import { PaymentAnomaliesController } from './payment-anomalies.controller';
import { PaymentAnomaliesService } from './payment-anomalies.service';

@Module({ controllers: [PaymentAnomaliesController], providers: [PaymentAnomaliesService] })
export class PaymentAnomaliesModule {}
