CREATE TABLE "churn_risk_cursors" (
	"merchant_id" text PRIMARY KEY NOT NULL,
	"last_event_id" text NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "churn_risk_scores" (
	"merchant_id" text NOT NULL,
	"customer_id" text NOT NULL,
	"score" integer NOT NULL,
	"level" text NOT NULL,
	"reasons" jsonb NOT NULL,
	"suggested_action" text,
	"computed_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "churn_risk_scores_merchant_id_customer_id_pk" PRIMARY KEY("merchant_id","customer_id")
);
--> statement-breakpoint
ALTER TABLE "merchants" ADD COLUMN "churn_risk_weights" jsonb;--> statement-breakpoint
ALTER TABLE "churn_risk_cursors" ADD CONSTRAINT "churn_risk_cursors_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "churn_risk_scores" ADD CONSTRAINT "churn_risk_scores_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "churn_risk_scores" ADD CONSTRAINT "churn_risk_scores_customer_fk" FOREIGN KEY ("merchant_id","customer_id") REFERENCES "public"."customers"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "churn_risk_scores_level_idx" ON "churn_risk_scores" USING btree ("merchant_id","level","score","customer_id");--> statement-breakpoint
CREATE INDEX "churn_risk_scores_computed_idx" ON "churn_risk_scores" USING btree ("computed_at");