-- AlterTable
ALTER TABLE "subscriptions" ADD COLUMN     "clock_offset_seconds" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "next_payment_retry_at" TIMESTAMPTZ(3),
ADD COLUMN     "renewal_invoice_id" UUID;

-- AlterTable
ALTER TABLE "invoices" ADD COLUMN     "renewal_key" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "subscriptions_renewal_invoice_id_key" ON "subscriptions"("renewal_invoice_id");

-- CreateIndex
CREATE INDEX "subscriptions_status_next_payment_retry_at_idx" ON "subscriptions"("status", "next_payment_retry_at");

-- CreateIndex
CREATE UNIQUE INDEX "invoices_renewal_key_key" ON "invoices"("renewal_key");

-- AddForeignKey
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_renewal_invoice_id_fkey" FOREIGN KEY ("renewal_invoice_id") REFERENCES "invoices"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

