-- UNLOGGED added by hand (drizzle-kit cannot express it): a crash empties the table, which only
-- refills every bucket; no WAL is written for the per-request update. See src/http/rate-limit-schema.ts.
CREATE UNLOGGED TABLE "rate_limit_buckets" (
	"merchant_id" text NOT NULL,
	"key_id" text NOT NULL,
	"tokens" double precision NOT NULL,
	"refilled_at" timestamp with time zone NOT NULL,
	"granted" integer NOT NULL,
	CONSTRAINT "rate_limit_buckets_merchant_id_key_id_pk" PRIMARY KEY("merchant_id","key_id")
);
