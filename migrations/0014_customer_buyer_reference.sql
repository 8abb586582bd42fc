ALTER TABLE "customers" ADD COLUMN "buyer_reference" text;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "buyer_reference_required" boolean DEFAULT false NOT NULL;