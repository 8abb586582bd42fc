ALTER TABLE "merchants" ADD COLUMN "legal_name" text;--> statement-breakpoint
ALTER TABLE "merchants" ADD COLUMN "address_line1" text;--> statement-breakpoint
ALTER TABLE "merchants" ADD COLUMN "address_line2" text;--> statement-breakpoint
ALTER TABLE "merchants" ADD COLUMN "postal_code" text;--> statement-breakpoint
ALTER TABLE "merchants" ADD COLUMN "city" text;--> statement-breakpoint
ALTER TABLE "merchants" ADD COLUMN "country" text DEFAULT 'SE' NOT NULL;--> statement-breakpoint
ALTER TABLE "merchants" ADD COLUMN "organisation_number" text;--> statement-breakpoint
ALTER TABLE "merchants" ADD COLUMN "vat_number" text;--> statement-breakpoint
ALTER TABLE "merchants" ADD COLUMN "f_skatt" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "merchants" ADD COLUMN "bankgiro" text;--> statement-breakpoint
ALTER TABLE "merchants" ADD COLUMN "swish_number" text;--> statement-breakpoint
ALTER TABLE "merchants" ADD COLUMN "time_zone" text DEFAULT 'Europe/Stockholm' NOT NULL;--> statement-breakpoint
ALTER TABLE "merchants" ADD COLUMN "payment_terms_days" integer DEFAULT 30 NOT NULL;--> statement-breakpoint
ALTER TABLE "merchants" ADD COLUMN "invoice_number_prefix" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "merchants" ADD COLUMN "ocr_length_digit" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "merchants" ADD COLUMN "updated_at" timestamp with time zone;