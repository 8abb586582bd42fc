CREATE TABLE "collection_action_required" (
	"merchant_id" text NOT NULL,
	"customer_id" text NOT NULL,
	"method_key" text NOT NULL,
	"attempt_id" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "collection_action_required_merchant_id_customer_id_method_key_pk" PRIMARY KEY("merchant_id","customer_id","method_key")
);
--> statement-breakpoint
CREATE TABLE "collection_attempts" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"invoice_id" text NOT NULL,
	"customer_id" text NOT NULL,
	"attempt_number" integer NOT NULL,
	"method" text NOT NULL,
	"payment_method" jsonb NOT NULL,
	"currency" text NOT NULL,
	"amount" bigint,
	"due_date" date NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"status" text NOT NULL,
	"lease_until" timestamp with time zone,
	"processor" text NOT NULL,
	"processor_reference" text,
	"outcome" text,
	"outcome_code" text,
	"outcome_message" text,
	"payment_id" text,
	"next_attempt_at" timestamp with time zone,
	"submitted_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "collection_attempts_merchant_id_id_pk" PRIMARY KEY("merchant_id","id")
);
--> statement-breakpoint
CREATE TABLE "test_processor_charges" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"idempotency_key" text NOT NULL,
	"method" text NOT NULL,
	"amount" bigint NOT NULL,
	"currency" text NOT NULL,
	"outcome" text NOT NULL,
	"code" text,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "test_processor_charges_merchant_id_id_pk" PRIMARY KEY("merchant_id","id")
);
--> statement-breakpoint
ALTER TABLE "collection_action_required" ADD CONSTRAINT "collection_action_required_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "collection_attempts" ADD CONSTRAINT "collection_attempts_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "collection_attempts" ADD CONSTRAINT "collection_attempts_invoice_fk" FOREIGN KEY ("merchant_id","invoice_id") REFERENCES "public"."invoices"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "test_processor_charges" ADD CONSTRAINT "test_processor_charges_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "collection_attempts_invoice_attempt_key" ON "collection_attempts" USING btree ("merchant_id","invoice_id","attempt_number");--> statement-breakpoint
CREATE INDEX "collection_attempts_invoice_idx" ON "collection_attempts" USING btree ("merchant_id","invoice_id","id");--> statement-breakpoint
CREATE INDEX "collection_attempts_customer_idx" ON "collection_attempts" USING btree ("merchant_id","customer_id","id");--> statement-breakpoint
CREATE INDEX "collection_attempts_due_idx" ON "collection_attempts" USING btree ("due_at") WHERE status in ('scheduled', 'processing', 'submitted');--> statement-breakpoint
CREATE UNIQUE INDEX "test_processor_charges_key" ON "test_processor_charges" USING btree ("merchant_id","idempotency_key");