-- W3C trace context stored with the rows background workers pick up (issue 12: one trace from subscribe to active):
-- a payment or refund is processed after its POST returned, an event is delivered after its processing committed.
-- Nullable, no default: metadata-only changes; rows written while tracing is off keep NULL.
-- AlterTable
ALTER TABLE "payments" ADD COLUMN     "trace_context" TEXT;

-- AlterTable
ALTER TABLE "refunds" ADD COLUMN     "trace_context" TEXT;

-- AlterTable
ALTER TABLE "events" ADD COLUMN     "trace_context" TEXT;

