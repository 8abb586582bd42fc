#!/usr/bin/env bash
# The dunning tour: an unpaid invoice on a test clock, from a friendly nudge to the collection agency.
# As for the API tour: npm start (without SMTP_URL the e-mails are kept in the API and written as
# .eml files under .data/messages/), then here (from the project folder):
#   export KEY=sk_test_… && bash scripts/tour-dunning.sh
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

echo '# The collection agency an unpaid claim goes to in the end (Omtanke never collects itself)'
call -X PATCH "$API/v1/merchant" -H "$auth" -H "$json" -H "$(ikey)" -d '{
  "collection_agency":{"name":"Snäll Inkasso AB","organisation_number":"556677-8899","email":"arenden@snallinkasso.example"}}' |
  js '({ id: j.id, collection_agency: j.collection_agency, time_zone: j.time_zone })'

echo '# A policy: the built-in steps, with a 60 kr reminder fee on the second reminder'
POLICY=$(call "$API/v1/dunning-policies" -H "$auth" -H "$json" -H "$(ikey)" -d '{
  "name":"Vänlig, med påminnelseavgift","rules":{"reminder_fee":6000}}' | id)
call "$API/v1/dunning-policies/$POLICY" -H "$auth"; echo

echo '# A test clock frozen on Monday 2 March 2026, and a customer on it who agreed to the fee on 1 March'
CLOCK=$(call "$API/v1/test-clocks" -H "$auth" -H "$json" -H "$(ikey)" -d '{"frozen_time":"2026-03-02T09:00:00Z"}' | id)
CUSTOMER=$(call "$API/v1/customers" -H "$auth" -H "$json" -H "$(ikey)" -d '{
  "name":"Åsa Lind","email":"asa.lind@example.se","national_id":"19811218-9876","test_clock":"'"$CLOCK"'",
  "dunning":{"policy":"'"$POLICY"'",
    "reminder_fee_agreement":{"agreed_at":"2026-03-01T12:00:00Z","terms_version":"2026-03"}}}' | id)

echo '# An invoice of 499 kr, finalized at once: due in 30 days, Wednesday 1 April'
INVOICE=$(call "$API/v1/invoices" -H "$auth" -H "$json" -H "$(ikey)" -d '{"customer":"'"$CUSTOMER"'",
  "auto_finalize":true,"lines":[{"description":"Städning, mars","unit_amount":49900,"tax_behavior":"inclusive","vat_rate":25}]}' | id)
call "$API/v1/invoices/$INVOICE" -H "$auth" | js '({ id: j.id, number: j.number, status: j.status, total: j.total, due_date: j.due_date })'

echo '# What the due-date reminder would say (nothing is sent or recorded)'
call "$API/v1/invoices/$INVOICE/reminders/preview?step=due_date" -H "$auth" |
  js '({ step: j.step.key, to: j.to, subject: j.subject, reminder_fee: j.reminder_fee, interest: j.interest })'
call "$API/v1/invoices/$INVOICE/reminders/preview?step=due_date" -H "$auth" | js 'j.text'

echo '# Sixty days later, unpaid: the clock works every step on its own day, inside the jump'
call -X POST "$API/v1/test-clocks/$CLOCK/advance" -H "$auth" -H "$json" -H "$(ikey)" -d '{"frozen_time":"2026-05-01T09:00:00Z"}'; echo
until call "$API/v1/test-clocks/$CLOCK" -H "$auth" | grep -q '"status":"ready"'; do sleep 0.5; done
# The message worker writes each e-mail (an .eml file without SMTP_URL) within a second or so.
while call "$API/v1/invoices/$INVOICE/dunning" -H "$auth" | grep -q '"status":"\(queued\|sending\)"'; do sleep 0.5; done

echo '# The reminder process: every step sent, then the claim handed over'
call "$API/v1/invoices/$INVOICE/dunning" -H "$auth"; echo

echo '# The messages it produced, each at its business time (quiet hours, Easter and the gap respected)'
messages=$(call "$API/v1/messages?invoice=$INVOICE&limit=10" -H "$auth")
echo "$messages" | js 'j.data.reverse().map((m) => ({ id: m.id, step: m.step.key, tone: m.step.tone, business_time: m.business_time,
  status: m.status, subject: m.subject, amount_due: m.amount_due, fee_amount: m.fee_amount, interest_amount: m.interest_amount }))'

echo '# The second reminder as Åsa reads it (GET /v1/messages/{id}/eml gives the whole e-mail)'
echo "$messages" | js 'j.data.find((m) => m.step.key === "reminder_2").text'

echo '# The hand-off: collection.escalated carries what the agency needs; the invoice is in_collection'
call "$API/v1/events?type=collection.escalated&limit=1" -H "$auth" | js 'j.data[0]'
call "$API/v1/invoices/$INVOICE" -H "$auth" | js '({ id: j.id, number: j.number, status: j.status, amount_remaining: j.amount_remaining })'
