CREATE TABLE "experiments" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"name" text NOT NULL,
	"status" text NOT NULL,
	"arms" jsonb NOT NULL,
	"winner" text,
	"metadata" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"stopped_at" timestamp with time zone,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "experiments_merchant_id_id_pk" PRIMARY KEY("merchant_id","id")
);
--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "experiment_id" text;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "experiment_arm" text;--> statement-breakpoint
ALTER TABLE "experiments" ADD CONSTRAINT "experiments_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "experiments_running_key" ON "experiments" USING btree ("merchant_id") WHERE status = 'running';--> statement-breakpoint
CREATE INDEX "messages_business_time_idx" ON "messages" USING btree ("merchant_id","business_time");--> statement-breakpoint
CREATE INDEX "messages_experiment_idx" ON "messages" USING btree ("merchant_id","experiment_id") WHERE experiment_id is not null;