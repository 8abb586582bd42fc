CREATE TABLE "test_clocks" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"name" text,
	"frozen_time" timestamp with time zone NOT NULL,
	"status" text NOT NULL,
	"target_time" timestamp with time zone,
	"advanced_from" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "test_clocks_merchant_id_id_pk" PRIMARY KEY("merchant_id","id")
);
--> statement-breakpoint
CREATE TABLE "subscription_items" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"subscription_id" text NOT NULL,
	"price_id" text NOT NULL,
	"quantity" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "subscription_items_merchant_id_id_pk" PRIMARY KEY("merchant_id","id")
);
--> statement-breakpoint
CREATE TABLE "subscriptions" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"customer_id" text NOT NULL,
	"status" text NOT NULL,
	"currency" text NOT NULL,
	"interval_months" integer NOT NULL,
	"billing_anchor_day" integer NOT NULL,
	"start_date" date NOT NULL,
	"trial_end" date,
	"current_period_start" date,
	"current_period_end" date,
	"next_bill_date" date,
	"cancel_at_period_end" boolean NOT NULL,
	"cancel_at" date,
	"canceled_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	"cancellation_reason" text,
	"cancellation_feedback" text,
	"cancellation_initiator" text,
	"paused_at" timestamp with time zone,
	"metadata" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "subscriptions_merchant_id_id_pk" PRIMARY KEY("merchant_id","id")
);
--> statement-breakpoint
CREATE TABLE "credit_notes" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"invoice_id" text NOT NULL,
	"customer_id" text NOT NULL,
	"status" text NOT NULL,
	"series" text NOT NULL,
	"number_seq" integer NOT NULL,
	"number" text NOT NULL,
	"currency" text NOT NULL,
	"issue_date" date NOT NULL,
	"reason" text NOT NULL,
	"memo" text,
	"subtotal" bigint NOT NULL,
	"vat_total" bigint NOT NULL,
	"total" bigint NOT NULL,
	"rounding" bigint NOT NULL,
	"amount" bigint NOT NULL,
	"vat_breakdown" jsonb NOT NULL,
	"lines" jsonb NOT NULL,
	"metadata" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "credit_notes_merchant_id_id_pk" PRIMARY KEY("merchant_id","id")
);
--> statement-breakpoint
CREATE TABLE "invoice_lines" (
	"merchant_id" text NOT NULL,
	"invoice_id" text NOT NULL,
	"line_no" integer NOT NULL,
	"description" text NOT NULL,
	"quantity" integer NOT NULL,
	"unit_amount" bigint NOT NULL,
	"tax_behavior" text NOT NULL,
	"vat_rate" integer NOT NULL,
	"net" bigint NOT NULL,
	"vat" bigint NOT NULL,
	"gross" bigint NOT NULL,
	"price_id" text,
	"subscription_item_id" text,
	"period_start" date,
	"period_end" date,
	"proration" boolean NOT NULL,
	CONSTRAINT "invoice_lines_merchant_id_invoice_id_line_no_pk" PRIMARY KEY("merchant_id","invoice_id","line_no")
);
--> statement-breakpoint
CREATE TABLE "invoices" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"customer_id" text NOT NULL,
	"subscription_id" text,
	"billing_reason" text NOT NULL,
	"status" text NOT NULL,
	"currency" text NOT NULL,
	"series" text,
	"number_seq" integer,
	"number" text,
	"ocr_reference" text,
	"issue_date" date,
	"due_date" date,
	"period_start" date,
	"period_end" date,
	"subtotal" bigint NOT NULL,
	"vat_total" bigint NOT NULL,
	"total" bigint NOT NULL,
	"rounding" bigint NOT NULL,
	"amount_due" bigint NOT NULL,
	"amount_paid" bigint NOT NULL,
	"amount_credited" bigint NOT NULL,
	"amount_remaining" bigint NOT NULL,
	"vat_breakdown" jsonb NOT NULL,
	"seller" jsonb,
	"buyer" jsonb,
	"reverse_charge" boolean NOT NULL,
	"locale" text NOT NULL,
	"payment_terms_days" integer NOT NULL,
	"memo" text,
	"metadata" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"finalized_at" timestamp with time zone,
	"paid_at" timestamp with time zone,
	"voided_at" timestamp with time zone,
	"marked_uncollectible_at" timestamp with time zone,
	CONSTRAINT "invoices_merchant_id_id_pk" PRIMARY KEY("merchant_id","id")
);
--> statement-breakpoint
CREATE TABLE "number_series" (
	"merchant_id" text NOT NULL,
	"series" text NOT NULL,
	"last_value" bigint NOT NULL,
	CONSTRAINT "number_series_merchant_id_series_pk" PRIMARY KEY("merchant_id","series")
);
--> statement-breakpoint
CREATE TABLE "pending_invoice_items" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"customer_id" text NOT NULL,
	"subscription_id" text NOT NULL,
	"invoice_id" text,
	"description" text NOT NULL,
	"quantity" integer NOT NULL,
	"unit_amount" bigint NOT NULL,
	"tax_behavior" text NOT NULL,
	"vat_rate" integer NOT NULL,
	"price_id" text,
	"period_start" date,
	"period_end" date,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "pending_invoice_items_merchant_id_id_pk" PRIMARY KEY("merchant_id","id")
);
--> statement-breakpoint
CREATE TABLE "billing_runs" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"test_clock_id" text,
	"status" text NOT NULL,
	"trigger" text NOT NULL,
	"as_of" timestamp with time zone NOT NULL,
	"subscriptions_due" integer NOT NULL,
	"invoices_created" integer NOT NULL,
	"subscriptions_ended" integer NOT NULL,
	"batches" integer NOT NULL,
	"last_error" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"completed_at" timestamp with time zone,
	CONSTRAINT "billing_runs_merchant_id_id_pk" PRIMARY KEY("merchant_id","id")
);
--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "test_clock_id" text;--> statement-breakpoint
ALTER TABLE "test_clocks" ADD CONSTRAINT "test_clocks_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscription_items" ADD CONSTRAINT "subscription_items_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscription_items" ADD CONSTRAINT "subscription_items_subscription_fk" FOREIGN KEY ("merchant_id","subscription_id") REFERENCES "public"."subscriptions"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_customer_fk" FOREIGN KEY ("merchant_id","customer_id") REFERENCES "public"."customers"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_notes" ADD CONSTRAINT "credit_notes_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_notes" ADD CONSTRAINT "credit_notes_invoice_fk" FOREIGN KEY ("merchant_id","invoice_id") REFERENCES "public"."invoices"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoice_lines" ADD CONSTRAINT "invoice_lines_invoice_fk" FOREIGN KEY ("merchant_id","invoice_id") REFERENCES "public"."invoices"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_customer_fk" FOREIGN KEY ("merchant_id","customer_id") REFERENCES "public"."customers"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "number_series" ADD CONSTRAINT "number_series_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pending_invoice_items" ADD CONSTRAINT "pending_invoice_items_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "billing_runs" ADD CONSTRAINT "billing_runs_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "subscription_items_subscription_idx" ON "subscription_items" USING btree ("merchant_id","subscription_id");--> statement-breakpoint
CREATE INDEX "subscriptions_customer_idx" ON "subscriptions" USING btree ("merchant_id","customer_id","id");--> statement-breakpoint
CREATE INDEX "subscriptions_due_idx" ON "subscriptions" USING btree ("merchant_id","next_bill_date","id") WHERE status in ('scheduled', 'trialing', 'active') and next_bill_date is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "credit_notes_number_key" ON "credit_notes" USING btree ("merchant_id","series","number_seq");--> statement-breakpoint
CREATE INDEX "credit_notes_invoice_idx" ON "credit_notes" USING btree ("merchant_id","invoice_id");--> statement-breakpoint
CREATE UNIQUE INDEX "invoices_number_key" ON "invoices" USING btree ("merchant_id","series","number_seq");--> statement-breakpoint
CREATE UNIQUE INDEX "invoices_ocr_key" ON "invoices" USING btree ("merchant_id","ocr_reference");--> statement-breakpoint
CREATE UNIQUE INDEX "invoices_subscription_period_key" ON "invoices" USING btree ("merchant_id","subscription_id","period_start") WHERE billing_reason in ('subscription_create', 'subscription_cycle');--> statement-breakpoint
CREATE INDEX "invoices_customer_idx" ON "invoices" USING btree ("merchant_id","customer_id","id");--> statement-breakpoint
CREATE INDEX "invoices_subscription_idx" ON "invoices" USING btree ("merchant_id","subscription_id","id");--> statement-breakpoint
CREATE INDEX "pending_invoice_items_open_idx" ON "pending_invoice_items" USING btree ("merchant_id","subscription_id") WHERE invoice_id is null;--> statement-breakpoint
CREATE INDEX "billing_runs_unfinished_idx" ON "billing_runs" USING btree ("status","created_at");--> statement-breakpoint
ALTER TABLE "customers" ADD CONSTRAINT "customers_test_clock_fk" FOREIGN KEY ("merchant_id","test_clock_id") REFERENCES "public"."test_clocks"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "customers_test_clock_idx" ON "customers" USING btree ("merchant_id","test_clock_id") WHERE test_clock_id is not null;