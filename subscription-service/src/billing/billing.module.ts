import { Module } from '@nestjs/common';
import { BillingRunService } from './billing-run.service';
import { BillingWorker } from './billing.worker';
import { InvoiceIssuer } from './invoice-issuer';

@Module({ providers: [BillingRunService, BillingWorker, InvoiceIssuer], exports: [BillingRunService, InvoiceIssuer] })
export class BillingModule {}
