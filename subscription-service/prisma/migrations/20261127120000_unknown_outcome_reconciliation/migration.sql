-- AlterEnum
ALTER TYPE "status_change_cause_type" ADD VALUE 'reconciliation';

-- AlterEnum
ALTER TYPE "invoice_payment_status" ADD VALUE 'unknown';

