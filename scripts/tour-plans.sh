#!/usr/bin/env bash
# The payment plan tour: two invoices on a test clock in three instalments; one paid, one missed.
# As for the API tour: npm start, then here (from the project folder):
#   export KEY=sk_test_… && bash scripts/tour-plans.sh
set -euo pipefail
API=${API:-http://localhost:3000}
: "${KEY:?export KEY=sk_test_… first (printed by the first npm start, or by npm run merchant:create)}"
auth="Authorization: Bearer $KEY"
json='Content-Type: application/json'
ikey() { echo "Idempotency-Key: tour-$(date +%s%N)-$RANDOM"; }
id() { sed -n -e 's/^{"id":"\([^"]*\)".*/\1/p' -e 's/^{"object":"list","data":\[{"id":"\([^"]*\)".*/\1/p'; }
call() { curl -sS --fail-with-body "$@"; }
# Reads JSON from stdin and prints what the expression makes of it (j is the parsed document).
js() { node -e 'const j = JSON.parse(require("fs").readFileSync(0, "utf8")); const r = ('"$1"'); console.log(typeof r === "string" ? r : JSON.stringify(r))'; }

echo '# The merchant offers plans with a fee of 170 kr (the legal cap) to customers who agree to it in writing'
call -X PATCH "$API/v1/merchant" -H "$auth" -H "$json" -H "$(ikey)" -d '{"payment_plan_fee":17000}' | js '({ id: j.id, payment_plan_fee: j.payment_plan_fee })'

echo '# A test clock frozen on Monday 4 May 2026, a customer on it, two invoices due Wednesday 3 June'
CLOCK=$(call "$API/v1/test-clocks" -H "$auth" -H "$json" -H "$(ikey)" -d '{"frozen_time":"2026-05-04T09:00:00Z"}' | id)
CUSTOMER=$(call "$API/v1/customers" -H "$auth" -H "$json" -H "$(ikey)" -d '{
  "name":"Nils Holm","email":"nils.holm@example.se","national_id":"19811218-9876","test_clock":"'"$CLOCK"'"}' | id)
invoice() {
  call "$API/v1/invoices" -H "$auth" -H "$json" -H "$(ikey)" -d '{"customer":"'"$CUSTOMER"'","auto_finalize":true,
    "lines":[{"description":"'"$2"'","unit_amount":'"$1"',"tax_behavior":"inclusive","vat_rate":25}]}' | id
}
FIRST_INVOICE=$(invoice 49900 'Städning, maj')
SECOND_INVOICE=$(invoice 30000 'Fönsterputs')

echo '# What a plan in three would look like, for the merchant’s app to show (nothing is created)'
call "$API/v1/invoices/$FIRST_INVOICE/payment-plan-offers" -H "$auth" -H "$json" -d '{"instalments":3}' |
  js '({ object: j.object, principal: j.principal, fee: j.fee, total: j.total, instalments: j.instalments })'

echo '# The plan, agreed in writing today with its fee: both invoices, three monthly instalments on bank days'
PLAN=$(call "$API/v1/payment-plans" -H "$auth" -H "$json" -H "$(ikey)" -d '{"customer":"'"$CUSTOMER"'",
  "invoices":["'"$FIRST_INVOICE"'","'"$SECOND_INVOICE"'"],"instalments":3,
  "fee_agreement":{"agreed_at":"2026-05-04T08:55:00Z","terms_version":"avbetalning-2026-05"}}' | id)
call "$API/v1/payment-plans/$PLAN" -H "$auth" |
  js '({ id: j.id, status: j.status, principal: j.principal, fee: j.fee, total: j.total, instalments: j.instalments.map((i) => ({ seq: i.seq, amount: i.amount, due_date: i.due_date, invoice: i.invoice })) })'
echo '# The invoices are taken over: owed once, on the instalments; their reminders paused'
call "$API/v1/invoices/$FIRST_INVOICE" -H "$auth" | js '({ id: j.id, status: j.status, amount_remaining: j.amount_remaining, amount_payment_plan: j.amount_payment_plan })'

echo '# The first instalment paid by bank transfer with its own OCR reference'
INSTALMENT=$(call "$API/v1/payment-plans/$PLAN" -H "$auth" | js 'j.instalments[0].invoice')
call "$API/v1/invoices/$INSTALMENT" -H "$auth" | js '({ amount: j.amount_due, reference: j.ocr_reference })' |
  call "$API/v1/payments" -H "$auth" -H "$json" -H "$(ikey)" -d @- | js '({ id: j.id, status: j.status, invoice: j.invoice, amount_applied: j.amount_applied })'

echo '# Ten weeks later: the second instalment was nudged, reminded once, then missed; the plan defaulted'
call -X POST "$API/v1/test-clocks/$CLOCK/advance" -H "$auth" -H "$json" -H "$(ikey)" -d '{"frozen_time":"2026-07-10T09:00:00Z"}' >/dev/null
until call "$API/v1/test-clocks/$CLOCK" -H "$auth" | grep -q '"status":"ready"'; do sleep 0.5; done
call "$API/v1/payment-plans/$PLAN" -H "$auth" |
  js '({ status: j.status, missed_instalment: j.missed_instalment, amount_paid: j.amount_paid, ended_at: j.ended_at, instalments: j.instalments.map((i) => i.status) })'
call "$API/v1/events?type=payment_plan.defaulted&limit=1" -H "$auth" | js '({ type: j.data[0].type, plan: j.data[0].data.object.id })'

echo '# What was paid settled the earlier invoice first; the rest is back on the invoices'
for INVOICE in "$FIRST_INVOICE" "$SECOND_INVOICE"; do
  call "$API/v1/invoices/$INVOICE" -H "$auth" | js '({ id: j.id, status: j.status, amount_remaining: j.amount_remaining, amount_payment_plan: j.amount_payment_plan })'
done
echo '# ... and their own reminders went on'
call "$API/v1/invoices/$SECOND_INVOICE/dunning" -H "$auth" | js '({ status: j.status, sent: j.messages.map((m) => m.step), next_step: j.next_step && j.next_step.key })'
