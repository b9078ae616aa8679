-- CreateTable
CREATE TABLE "provider_connections" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "provider" TEXT NOT NULL,
    "base_url" TEXT NOT NULL,
    "admin_key_sealed" TEXT NOT NULL,
    "last_import_at" TIMESTAMPTZ(3),
    "last_import_status" TEXT,
    "last_import_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "provider_connections_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "provider_mappings" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "provider" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "external_id" TEXT NOT NULL,
    "project_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "provider_mappings_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "provider_usage_buckets" (
    "id" BIGSERIAL NOT NULL,
    "organization_id" UUID NOT NULL,
    "provider" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "model" TEXT NOT NULL,
    "external_project_id" TEXT NOT NULL DEFAULT '',
    "api_key_id" TEXT NOT NULL DEFAULT '',
    "service_tier" TEXT NOT NULL DEFAULT '',
    "requests" BIGINT NOT NULL DEFAULT 0,
    "input_tokens" BIGINT NOT NULL DEFAULT 0,
    "output_tokens" BIGINT NOT NULL DEFAULT 0,
    "cache_read_tokens" BIGINT NOT NULL DEFAULT 0,
    "cache_write_tokens" BIGINT NOT NULL DEFAULT 0,
    "cache_write_1h_tokens" BIGINT NOT NULL DEFAULT 0,
    "input_audio_tokens" BIGINT NOT NULL DEFAULT 0,
    "output_audio_tokens" BIGINT NOT NULL DEFAULT 0,
    "web_search_requests" BIGINT NOT NULL DEFAULT 0,
    "source" TEXT NOT NULL,
    "imported_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "provider_usage_buckets_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "provider_cost_buckets" (
    "id" BIGSERIAL NOT NULL,
    "organization_id" UUID NOT NULL,
    "provider" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "model" TEXT NOT NULL DEFAULT '',
    "external_project_id" TEXT NOT NULL DEFAULT '',
    "line_item" TEXT NOT NULL DEFAULT '',
    "service_tier" TEXT NOT NULL DEFAULT '',
    "charge_kind" TEXT NOT NULL,
    "amount_usd" DECIMAL(38,18) NOT NULL,
    "source" TEXT NOT NULL,
    "imported_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "provider_cost_buckets_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "provider_import_days" (
    "organization_id" UUID NOT NULL,
    "provider" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "source" TEXT NOT NULL,
    "imported_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "provider_import_days_pkey" PRIMARY KEY ("organization_id","provider","kind","day")
);

-- CreateIndex
CREATE UNIQUE INDEX "provider_connections_organization_id_provider_key" ON "provider_connections"("organization_id", "provider");

-- CreateIndex
CREATE UNIQUE INDEX "provider_mappings_organization_id_provider_kind_external_id_key" ON "provider_mappings"("organization_id", "provider", "kind", "external_id");

-- CreateIndex
CREATE UNIQUE INDEX "provider_usage_buckets_key" ON "provider_usage_buckets"("organization_id", "provider", "day", "model", "external_project_id", "api_key_id", "service_tier");

-- CreateIndex
CREATE UNIQUE INDEX "provider_cost_buckets_key" ON "provider_cost_buckets"("organization_id", "provider", "day", "model", "external_project_id", "line_item", "service_tier");

-- AddForeignKey
ALTER TABLE "provider_connections" ADD CONSTRAINT "provider_connections_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "provider_mappings" ADD CONSTRAINT "provider_mappings_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "provider_mappings" ADD CONSTRAINT "provider_mappings_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;
