CREATE TABLE "payment_files" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"livemode" boolean NOT NULL,
	"status" text NOT NULL,
	"format" text NOT NULL,
	"version" text NOT NULL,
	"content_type" text,
	"sha256" text NOT NULL,
	"size" integer NOT NULL,
	"content" "bytea" NOT NULL,
	"payee_accounts" jsonb NOT NULL,
	"file_created_at" text,
	"is_test" boolean NOT NULL,
	"payment_count" integer NOT NULL,
	"payment_amount" bigint NOT NULL,
	"deduction_count" integer NOT NULL,
	"deduction_amount" bigint NOT NULL,
	"transactions_done" integer NOT NULL,
	"matched_count" integer NOT NULL,
	"matched_amount" bigint NOT NULL,
	"unmatched_count" integer NOT NULL,
	"unmatched_amount" bigint NOT NULL,
	"duplicate_count" integer NOT NULL,
	"duplicate_amount" bigint NOT NULL,
	"last_error" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"completed_at" timestamp with time zone,
	CONSTRAINT "payment_files_merchant_id_id_pk" PRIMARY KEY("merchant_id","id"),
	CONSTRAINT "payment_files_progress" CHECK (transactions_done >= 0 and transactions_done <= payment_count and matched_count + unmatched_count + duplicate_count = transactions_done)
);
--> statement-breakpoint
ALTER TABLE "payment_files" ADD CONSTRAINT "payment_files_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "payment_files_sha256" ON "payment_files" USING btree ("merchant_id","sha256");--> statement-breakpoint
CREATE INDEX "payment_files_processing_idx" ON "payment_files" USING btree ("status") WHERE status = 'processing';