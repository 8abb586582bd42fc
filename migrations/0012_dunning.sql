CREATE TABLE "dunning_cases" (
	"merchant_id" text NOT NULL,
	"invoice_id" text NOT NULL,
	"customer_id" text NOT NULL,
	"policy_id" text NOT NULL,
	"status" text NOT NULL,
	"next_step" integer NOT NULL,
	"next_action_at" timestamp with time zone,
	"shift_seconds" integer DEFAULT 0 NOT NULL,
	"last_sent_at" timestamp with time zone,
	"escalation_stopped" boolean DEFAULT false NOT NULL,
	"escalation_postponed_until" timestamp with time zone,
	"disputed_at" timestamp with time zone,
	"dispute_reason" text,
	"fee_amount" bigint DEFAULT 0 NOT NULL,
	"fee_charged_at" timestamp with time zone,
	"closed_reason" text,
	"escalated_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "dunning_cases_merchant_id_invoice_id_pk" PRIMARY KEY("merchant_id","invoice_id")
);
--> statement-breakpoint
CREATE TABLE "dunning_policies" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"name" text NOT NULL,
	"is_default" boolean NOT NULL,
	"steps" jsonb NOT NULL,
	"rules" jsonb NOT NULL,
	"metadata" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "dunning_policies_merchant_id_id_pk" PRIMARY KEY("merchant_id","id")
);
--> statement-breakpoint
CREATE TABLE "payment_read_days" (
	"merchant_id" text NOT NULL,
	"clock_key" text NOT NULL,
	"day" date NOT NULL,
	"read_at" timestamp with time zone NOT NULL,
	CONSTRAINT "payment_read_days_merchant_id_clock_key_day_pk" PRIMARY KEY("merchant_id","clock_key","day")
);
--> statement-breakpoint
CREATE TABLE "message_invoices" (
	"merchant_id" text NOT NULL,
	"message_id" text NOT NULL,
	"invoice_id" text NOT NULL,
	"step_key" text NOT NULL,
	"amount_remaining" bigint NOT NULL,
	CONSTRAINT "message_invoices_merchant_id_message_id_invoice_id_pk" PRIMARY KEY("merchant_id","message_id","invoice_id")
);
--> statement-breakpoint
CREATE TABLE "messages" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"customer_id" text NOT NULL,
	"kind" text NOT NULL,
	"policy_id" text,
	"step_key" text NOT NULL,
	"step_kind" text NOT NULL,
	"tone" text NOT NULL,
	"locale" text NOT NULL,
	"channel" text NOT NULL,
	"delivery" text NOT NULL,
	"to_address" text,
	"subject" text NOT NULL,
	"text_body" text NOT NULL,
	"html_body" text NOT NULL,
	"attach_pdf" boolean NOT NULL,
	"message_id_header" text NOT NULL,
	"currency" text NOT NULL,
	"amount_due" bigint NOT NULL,
	"fee_amount" bigint NOT NULL,
	"interest_amount" bigint NOT NULL,
	"status" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"lease_until" timestamp with time zone,
	"next_attempt_at" timestamp with time zone,
	"last_error" text,
	"fallback_of" text,
	"business_time" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"sent_at" timestamp with time zone,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "messages_merchant_id_id_pk" PRIMARY KEY("merchant_id","id")
);
--> statement-breakpoint
CREATE TABLE "message_templates" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"template" text NOT NULL,
	"locale" text NOT NULL,
	"tone" text NOT NULL,
	"subject" text NOT NULL,
	"html" text NOT NULL,
	"text" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "message_templates_merchant_id_id_pk" PRIMARY KEY("merchant_id","id")
);
--> statement-breakpoint
ALTER TABLE "merchants" ADD COLUMN "collection_agency" jsonb;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "dunning_policy_id" text;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "reminder_fee_agreed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "reminder_fee_terms_version" text;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "escalation_stopped" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "escalation_postponed_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "dunning_cases" ADD CONSTRAINT "dunning_cases_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dunning_cases" ADD CONSTRAINT "dunning_cases_invoice_fk" FOREIGN KEY ("merchant_id","invoice_id") REFERENCES "public"."invoices"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dunning_policies" ADD CONSTRAINT "dunning_policies_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_read_days" ADD CONSTRAINT "payment_read_days_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "message_invoices" ADD CONSTRAINT "message_invoices_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "message_templates" ADD CONSTRAINT "message_templates_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "dunning_cases_due_idx" ON "dunning_cases" USING btree ("next_action_at") WHERE status = 'active';--> statement-breakpoint
CREATE INDEX "dunning_cases_customer_idx" ON "dunning_cases" USING btree ("merchant_id","customer_id");--> statement-breakpoint
CREATE UNIQUE INDEX "dunning_policies_default_key" ON "dunning_policies" USING btree ("merchant_id") WHERE is_default;--> statement-breakpoint
CREATE UNIQUE INDEX "message_invoices_step_key" ON "message_invoices" USING btree ("merchant_id","invoice_id","step_key");--> statement-breakpoint
CREATE INDEX "messages_customer_idx" ON "messages" USING btree ("merchant_id","customer_id","id");--> statement-breakpoint
CREATE INDEX "messages_queued_idx" ON "messages" USING btree ("next_attempt_at") WHERE status in ('queued', 'sending');--> statement-breakpoint
CREATE UNIQUE INDEX "message_templates_key" ON "message_templates" USING btree ("merchant_id","template","locale","tone");