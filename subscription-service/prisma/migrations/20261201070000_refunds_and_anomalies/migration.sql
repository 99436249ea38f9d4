-- Issue 9: money captured with no obligation is refunded (invoice_refunds, sent through the outbox), charges of
-- invoices that stopped being collectible are canceled before they are sent (canceled statuses), and payment
-- events that do not match their obligation are kept for an admin (payment_anomalies).
-- CreateEnum
CREATE TYPE "invoice_refund_status" AS ENUM ('pending', 'processing', 'succeeded', 'failed');

-- AlterEnum
ALTER TYPE "invoice_payment_status" ADD VALUE 'canceled';

-- AlterEnum
ALTER TYPE "outbox_status" ADD VALUE 'canceled';

-- CreateTable
CREATE TABLE "invoice_refunds" (
    "id" UUID NOT NULL,
    "invoice_id" UUID NOT NULL,
    "invoice_payment_id" UUID NOT NULL,
    "gateway_payment_id" TEXT NOT NULL,
    "amount" INTEGER NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "reason" TEXT NOT NULL,
    "explanation" TEXT NOT NULL,
    "status" "invoice_refund_status" NOT NULL,
    "gateway_refund_id" TEXT,
    "failure_code" TEXT,
    "failure_message" TEXT,
    "request_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "invoice_refunds_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "payment_anomalies" (
    "id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "invoice_payment_id" UUID,
    "gateway_payment_id" TEXT NOT NULL,
    "event_type" TEXT NOT NULL,
    "expected" JSONB NOT NULL,
    "received" JSONB NOT NULL,
    "cause_type" "status_change_cause_type" NOT NULL,
    "cause_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "payment_anomalies_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "invoice_refunds_invoice_payment_id_key" ON "invoice_refunds"("invoice_payment_id");

-- CreateIndex
CREATE UNIQUE INDEX "invoice_refunds_gateway_refund_id_key" ON "invoice_refunds"("gateway_refund_id");

-- CreateIndex
CREATE INDEX "invoice_refunds_invoice_id_created_at_idx" ON "invoice_refunds"("invoice_id", "created_at");

-- CreateIndex
CREATE INDEX "payment_anomalies_created_at_id_idx" ON "payment_anomalies"("created_at", "id");

-- AddForeignKey
ALTER TABLE "invoice_refunds" ADD CONSTRAINT "invoice_refunds_invoice_id_fkey" FOREIGN KEY ("invoice_id") REFERENCES "invoices"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "invoice_refunds" ADD CONSTRAINT "invoice_refunds_invoice_payment_id_fkey" FOREIGN KEY ("invoice_payment_id") REFERENCES "invoice_payments"("id") ON DELETE CASCADE ON UPDATE CASCADE;

