-- Refunds of succeeded payments and their attempt ledger (processed by the refund worker like payments).
-- CreateEnum
CREATE TYPE "refund_status" AS ENUM ('pending', 'succeeded', 'failed');

-- CreateEnum
CREATE TYPE "refund_reason" AS ENUM ('duplicate', 'fraudulent', 'requested_by_customer', 'no_obligation');

-- CreateTable
CREATE TABLE "refunds" (
    "id" UUID NOT NULL,
    "payment_id" UUID NOT NULL,
    "amount" INTEGER NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "reason" "refund_reason" NOT NULL DEFAULT 'requested_by_customer',
    "status" "refund_status" NOT NULL DEFAULT 'pending',
    "failure_code" VARCHAR(64),
    "failure_message" VARCHAR(255),
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "attempt_count" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3),
    "locked_until" TIMESTAMPTZ(3),
    "request_id" VARCHAR(128),
    "idempotency_scope" VARCHAR(512),
    "idempotency_request_hash" CHAR(64),
    "processed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "refunds_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "refund_attempts" (
    "id" UUID NOT NULL,
    "refund_id" UUID NOT NULL,
    "attempt_number" INTEGER NOT NULL,
    "outcome" "payment_attempt_outcome" NOT NULL,
    "failure_code" VARCHAR(64),
    "failure_message" VARCHAR(255),
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "finished_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "refund_attempts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "refunds_idempotency_scope_key" ON "refunds"("idempotency_scope");

-- CreateIndex
CREATE INDEX "refunds_payment_id_created_at_id_idx" ON "refunds"("payment_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "refunds_status_next_attempt_at_idx" ON "refunds"("status", "next_attempt_at");

-- CreateIndex
CREATE UNIQUE INDEX "refund_attempts_refund_id_attempt_number_key" ON "refund_attempts"("refund_id", "attempt_number");

-- AddForeignKey
ALTER TABLE "refunds" ADD CONSTRAINT "refunds_payment_id_fkey" FOREIGN KEY ("payment_id") REFERENCES "payments"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "refund_attempts" ADD CONSTRAINT "refund_attempts_refund_id_fkey" FOREIGN KEY ("refund_id") REFERENCES "refunds"("id") ON DELETE CASCADE ON UPDATE CASCADE;

