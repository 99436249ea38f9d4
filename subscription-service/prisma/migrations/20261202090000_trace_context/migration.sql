-- W3C trace context of the operation that wrote each outbox message (issue 12: one trace from subscribe to active).
-- Nullable, no default: a metadata-only change; rows written while tracing is off keep NULL.
-- AlterTable
ALTER TABLE "outbox_messages" ADD COLUMN     "trace_context" TEXT;
