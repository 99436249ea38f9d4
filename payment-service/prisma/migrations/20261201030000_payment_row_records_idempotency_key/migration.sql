-- The payment row records its Idempotency-Key (idempotency_scope, unique): the separate key table is no longer used.
-- DropTable
DROP TABLE "idempotency_keys";

