CREATE TABLE "customer_choice_changes" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"customer_id" text NOT NULL,
	"kind" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"from" jsonb NOT NULL,
	"to" jsonb NOT NULL,
	"initiator" text NOT NULL,
	"reason" text,
	CONSTRAINT "customer_choice_changes_merchant_id_id_pk" PRIMARY KEY("merchant_id","id")
);
--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "payment_method" jsonb;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "delivery" jsonb;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "returned_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "first_subscribed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "earlier_tenure" jsonb;--> statement-breakpoint
ALTER TABLE "customer_choice_changes" ADD CONSTRAINT "customer_choice_changes_customer_fk" FOREIGN KEY ("merchant_id","customer_id") REFERENCES "public"."customers"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "customer_choice_changes_customer_idx" ON "customer_choice_changes" USING btree ("merchant_id","customer_id","id");