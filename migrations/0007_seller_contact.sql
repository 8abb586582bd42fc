ALTER TABLE "merchants" ADD COLUMN "contact_email" text;--> statement-breakpoint
ALTER TABLE "merchants" ADD COLUMN "contact_phone" text;--> statement-breakpoint
ALTER TABLE "merchants" ADD COLUMN "registered_office" text;--> statement-breakpoint
ALTER TABLE "credit_notes" ADD COLUMN "invoice_amount_remaining" bigint;