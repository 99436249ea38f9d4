-- The billing worker finds due subscriptions with index scans; subscriptions on a test clock through this index.
-- CreateIndex
CREATE INDEX "subscriptions_clock_offset_seconds_idx" ON "subscriptions"("clock_offset_seconds");

