CREATE TABLE "payment_plan_instalments" (
	"merchant_id" text NOT NULL,
	"plan_id" text NOT NULL,
	"seq" integer NOT NULL,
	"invoice_id" text NOT NULL,
	"amount" bigint NOT NULL,
	"due_date" date NOT NULL,
	CONSTRAINT "payment_plan_instalments_merchant_id_plan_id_seq_pk" PRIMARY KEY("merchant_id","plan_id","seq")
);
--> statement-breakpoint
CREATE TABLE "payment_plan_invoices" (
	"merchant_id" text NOT NULL,
	"plan_id" text NOT NULL,
	"invoice_id" text NOT NULL,
	"position" integer NOT NULL,
	"amount" bigint NOT NULL,
	"interest" bigint NOT NULL,
	CONSTRAINT "payment_plan_invoices_merchant_id_plan_id_invoice_id_pk" PRIMARY KEY("merchant_id","plan_id","invoice_id")
);
--> statement-breakpoint
CREATE TABLE "payment_plans" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"customer_id" text NOT NULL,
	"status" text NOT NULL,
	"currency" text NOT NULL,
	"interval" text NOT NULL,
	"principal" bigint NOT NULL,
	"interest" bigint NOT NULL,
	"fee" bigint NOT NULL,
	"total" bigint NOT NULL,
	"fee_agreed_at" timestamp with time zone,
	"fee_terms_version" text,
	"next_check_at" timestamp with time zone,
	"missed_instalment" integer,
	"ended_at" timestamp with time zone,
	"metadata" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "payment_plans_merchant_id_id_pk" PRIMARY KEY("merchant_id","id")
);
--> statement-breakpoint
ALTER TABLE "merchants" ADD COLUMN "payment_plan_fee" bigint;--> statement-breakpoint
ALTER TABLE "invoices" ADD COLUMN "amount_plan" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "dunning_policies" ADD COLUMN "purpose" text DEFAULT 'dunning' NOT NULL;--> statement-breakpoint
ALTER TABLE "payment_plan_instalments" ADD CONSTRAINT "payment_plan_instalments_plan_fk" FOREIGN KEY ("merchant_id","plan_id") REFERENCES "public"."payment_plans"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_plan_instalments" ADD CONSTRAINT "payment_plan_instalments_invoice_fk" FOREIGN KEY ("merchant_id","invoice_id") REFERENCES "public"."invoices"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_plan_invoices" ADD CONSTRAINT "payment_plan_invoices_plan_fk" FOREIGN KEY ("merchant_id","plan_id") REFERENCES "public"."payment_plans"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_plan_invoices" ADD CONSTRAINT "payment_plan_invoices_invoice_fk" FOREIGN KEY ("merchant_id","invoice_id") REFERENCES "public"."invoices"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_plans" ADD CONSTRAINT "payment_plans_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_plans" ADD CONSTRAINT "payment_plans_customer_fk" FOREIGN KEY ("merchant_id","customer_id") REFERENCES "public"."customers"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "payment_plan_instalments_invoice_key" ON "payment_plan_instalments" USING btree ("merchant_id","invoice_id");--> statement-breakpoint
CREATE INDEX "payment_plan_invoices_invoice_idx" ON "payment_plan_invoices" USING btree ("merchant_id","invoice_id");--> statement-breakpoint
CREATE INDEX "payment_plans_customer_idx" ON "payment_plans" USING btree ("merchant_id","customer_id","id");--> statement-breakpoint
CREATE INDEX "payment_plans_check_idx" ON "payment_plans" USING btree ("next_check_at") WHERE status = 'active';--> statement-breakpoint
CREATE UNIQUE INDEX "dunning_policies_payment_plan_key" ON "dunning_policies" USING btree ("merchant_id") WHERE purpose = 'payment_plan';