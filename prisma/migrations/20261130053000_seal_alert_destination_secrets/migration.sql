-- Webhook signing secrets are sealed (AES-256-GCM, libs/db/src/secret-box.ts) into "secret_sealed".
-- SQL cannot seal (the key is in the environment, never in the database), so existing plaintext
-- secrets stay in "secret" until the worker seals them at boot (or the first delivery does), which
-- sets "secret" to NULL. A later release drops "secret" (docs/SECURITY.md, "Alert webhooks").

-- AlterTable
ALTER TABLE "alert_destinations" ADD COLUMN     "secret_sealed" TEXT,
ALTER COLUMN "secret" DROP NOT NULL;

