-- Who asked for each invoice payment. Existing rows become 'billing': on renewal invoices (the only ones dunning counts)
-- every payment so far was the billing worker's, so the dunning counts stay what they were.
-- CreateEnum
CREATE TYPE "invoice_payment_initiator" AS ENUM ('billing', 'customer');

-- AlterTable
ALTER TABLE "invoice_payments" ADD COLUMN     "initiated_by" "invoice_payment_initiator" NOT NULL DEFAULT 'billing';

