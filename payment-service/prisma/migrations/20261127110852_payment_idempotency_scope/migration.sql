-- AlterTable
ALTER TABLE "payments" ADD COLUMN     "idempotency_request_hash" CHAR(64),
ADD COLUMN     "idempotency_scope" VARCHAR(512);

-- CreateIndex
CREATE UNIQUE INDEX "payments_idempotency_scope_key" ON "payments"("idempotency_scope");

