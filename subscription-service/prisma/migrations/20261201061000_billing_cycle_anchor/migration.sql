-- Renewals keep their calendar anchor (Stripe's billing_cycle_anchor): every period boundary is computed
-- from the anchor and the period number, not from the previous period end (see
-- src/subscriptions/domain/billing-period.ts). Prisma generates ADD COLUMN ... NOT NULL, which fails on a
-- table with rows, so the column is added nullable, backfilled, then made NOT NULL.

-- AlterTable
ALTER TABLE "subscriptions" ADD COLUMN     "billing_cycle_anchor" TIMESTAMPTZ(3);

-- Backfill. The anchor is current_period_start: until now every period end was "start + one interval",
-- which is boundary 1 of a cycle anchored at its start, so no stored period end moves and the next
-- renewal lands where it would have landed before. The original subscribe day cannot be recovered
-- reliably (plan changes to another interval restart the cycle), so a subscription that already drifted
-- (Jan 31 → Feb 28 → Mar 28) stays on its current day instead of jumping back.
-- Exception: a subscription collecting a renewal (renewal_invoice_id set, active or past_due) already has
-- the invoice for its next period, [current_period_end, current_period_end + one interval of the plan it
-- renews on). When that invoice is paid, that becomes the period, so its anchor is current_period_end
-- (the invoice's period_start): anchoring it at current_period_start would put the following boundary
-- off that invoice's period (short or long when the day was clamped, or on another cycle when a
-- downgrade to another interval switched the plan at this renewal).
UPDATE "subscriptions"
   SET "billing_cycle_anchor" = CASE WHEN "renewal_invoice_id" IS NOT NULL THEN "current_period_end" ELSE "current_period_start" END;

ALTER TABLE "subscriptions" ALTER COLUMN "billing_cycle_anchor" SET NOT NULL;
