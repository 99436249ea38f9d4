import { Module } from '@nestjs/common';
import { PaymentsOutboxModule } from '../payments-outbox/payments-outbox.module';
import { BillingWorker } from './billing.worker';
import { InvoiceIssuer } from './invoice-issuer';

@Module({ imports: [PaymentsOutboxModule], providers: [BillingWorker, InvoiceIssuer], exports: [BillingWorker, InvoiceIssuer] })
export class BillingModule {}
