CREATE TABLE "customer_balance_transactions" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"customer_id" text NOT NULL,
	"type" text NOT NULL,
	"amount" bigint NOT NULL,
	"currency" text NOT NULL,
	"ending_balance" bigint NOT NULL,
	"payment_id" text,
	"invoice_id" text,
	"refund_id" text,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "customer_balance_transactions_merchant_id_id_pk" PRIMARY KEY("merchant_id","id"),
	CONSTRAINT "cbtxn_ending_balance_not_negative" CHECK (ending_balance >= 0)
);
--> statement-breakpoint
CREATE TABLE "payments" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"status" text NOT NULL,
	"amount" bigint NOT NULL,
	"currency" text NOT NULL,
	"date" date NOT NULL,
	"method" text NOT NULL,
	"reference" text,
	"payer" jsonb NOT NULL,
	"customer_id" text,
	"invoice_id" text,
	"matched_by" text,
	"amount_applied" bigint NOT NULL,
	"amount_credited" bigint NOT NULL,
	"amount_unapplied" bigint NOT NULL,
	"amount_refunded" bigint NOT NULL,
	"external_key" text,
	"metadata" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "payments_merchant_id_id_pk" PRIMARY KEY("merchant_id","id"),
	CONSTRAINT "payments_amounts_add_up" CHECK (amount > 0 and amount_applied >= 0 and amount_credited >= 0 and amount_unapplied >= 0 and amount_refunded >= 0 and amount = amount_applied + amount_credited + amount_unapplied + amount_refunded)
);
--> statement-breakpoint
CREATE TABLE "refunds" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"payment_id" text NOT NULL,
	"amount" bigint NOT NULL,
	"currency" text NOT NULL,
	"reason" text,
	"from_unapplied" bigint NOT NULL,
	"from_credit" bigint NOT NULL,
	"from_invoice" bigint NOT NULL,
	"metadata" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "refunds_merchant_id_id_pk" PRIMARY KEY("merchant_id","id"),
	CONSTRAINT "refunds_amounts_add_up" CHECK (amount > 0 and amount = from_unapplied + from_credit + from_invoice)
);
--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "balance" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "balance_currency" text;--> statement-breakpoint
ALTER TABLE "invoices" ADD COLUMN "amount_from_balance" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "customer_balance_transactions" ADD CONSTRAINT "customer_balance_transactions_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_balance_transactions" ADD CONSTRAINT "cbtxn_customer_fk" FOREIGN KEY ("merchant_id","customer_id") REFERENCES "public"."customers"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_customer_fk" FOREIGN KEY ("merchant_id","customer_id") REFERENCES "public"."customers"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refunds" ADD CONSTRAINT "refunds_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refunds" ADD CONSTRAINT "refunds_payment_fk" FOREIGN KEY ("merchant_id","payment_id") REFERENCES "public"."payments"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "cbtxn_customer_idx" ON "customer_balance_transactions" USING btree ("merchant_id","customer_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "payments_external_key" ON "payments" USING btree ("merchant_id","external_key") WHERE external_key is not null;--> statement-breakpoint
CREATE INDEX "payments_status_idx" ON "payments" USING btree ("merchant_id","status","id");--> statement-breakpoint
CREATE INDEX "payments_customer_idx" ON "payments" USING btree ("merchant_id","customer_id","id");--> statement-breakpoint
CREATE INDEX "payments_invoice_idx" ON "payments" USING btree ("merchant_id","invoice_id","id");--> statement-breakpoint
CREATE INDEX "refunds_payment_idx" ON "refunds" USING btree ("merchant_id","payment_id","id");--> statement-breakpoint
ALTER TABLE "customers" ADD CONSTRAINT "customers_balance_not_negative" CHECK (balance >= 0);