CREATE TABLE "peppol_deliveries" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"livemode" boolean NOT NULL,
	"invoice_id" text NOT NULL,
	"customer_id" text NOT NULL,
	"participant_id" text NOT NULL,
	"status" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"lease_until" timestamp with time zone,
	"next_attempt_at" timestamp with time zone NOT NULL,
	"access_point" text NOT NULL,
	"transmission_id" text,
	"reason" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"delivered_at" timestamp with time zone,
	CONSTRAINT "peppol_deliveries_merchant_id_id_pk" PRIMARY KEY("merchant_id","id")
);
--> statement-breakpoint
CREATE TABLE "peppol_test_transmissions" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"message_id" text NOT NULL,
	"sender" text NOT NULL,
	"receiver" text NOT NULL,
	"document" text NOT NULL,
	"received" integer DEFAULT 1 NOT NULL,
	"status_checks" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "peppol_test_transmissions_merchant_id_id_pk" PRIMARY KEY("merchant_id","id")
);
--> statement-breakpoint
ALTER TABLE "peppol_deliveries" ADD CONSTRAINT "peppol_deliveries_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "peppol_deliveries" ADD CONSTRAINT "peppol_deliveries_invoice_fk" FOREIGN KEY ("merchant_id","invoice_id") REFERENCES "public"."invoices"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "peppol_test_transmissions" ADD CONSTRAINT "peppol_test_transmissions_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "peppol_deliveries_invoice_key" ON "peppol_deliveries" USING btree ("merchant_id","invoice_id");--> statement-breakpoint
CREATE INDEX "peppol_deliveries_due_idx" ON "peppol_deliveries" USING btree ("next_attempt_at") WHERE status in ('queued', 'sending', 'awaiting');--> statement-breakpoint
CREATE UNIQUE INDEX "peppol_test_transmissions_message_key" ON "peppol_test_transmissions" USING btree ("merchant_id","message_id");