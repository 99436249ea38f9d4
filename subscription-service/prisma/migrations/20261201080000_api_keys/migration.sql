-- Issue 11: user API keys get a lifecycle. Each user held one key in users.api_key_hash / api_key_prefix; keys now
-- live in api_keys (several per user, each revocable). Every existing key moves over with its hash, so the keys
-- already handed out (the seeded demo keys included) keep working. Their last four characters were never stored
-- (only the hash was), so last4 is NULL for them; created_at is the user's, when the key was issued.
-- Not compatible with the previous release running beside it (it reads users.api_key_hash): run it with the old
-- replicas stopped (README, "Deployment notes").

-- CreateTable
CREATE TABLE "api_keys" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "key_hash" CHAR(64) NOT NULL,
    "prefix" TEXT NOT NULL,
    "last4" CHAR(4),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_key_hash_key" ON "api_keys"("key_hash");

-- CreateIndex
CREATE INDEX "api_keys_user_id_created_at_id_idx" ON "api_keys"("user_id", "created_at", "id");

-- AddForeignKey
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Move every user's key
INSERT INTO "api_keys" ("id", "user_id", "key_hash", "prefix", "last4", "created_at")
SELECT gen_random_uuid(), "id", "api_key_hash", "api_key_prefix", NULL, "created_at" FROM "users";

-- DropIndex
DROP INDEX "users_api_key_hash_key";

-- AlterTable
ALTER TABLE "users" DROP COLUMN "api_key_hash",
DROP COLUMN "api_key_prefix";
