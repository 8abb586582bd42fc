#!/usr/bin/env bash
# The API tour: from a customer to a paid invoice, as a merchant's backend calls it.
# Terminal 1: npm start                  (prints a test-mode API key on its first start)
# Terminal 2: npm run webhooks:listen    (registers itself, verifies and prints every event)
# Terminal 3: export KEY=sk_test_… && bash scripts/tour.sh   (or paste the commands one by one)
set -euo pipefail
API=${API:-http://localhost:3000}
: "${KEY:?export KEY=sk_test_… first (printed by the first npm start, or by npm run merchant:create)}"
auth="Authorization: Bearer $KEY"
json='Content-Type: application/json'
# Every POST and PATCH carries an Idempotency-Key: a retry with the same key is answered, not redone.
ikey() { echo "Idempotency-Key: tour-$(date +%s%N)-$RANDOM"; }
# The id of a JSON object (it comes first), or of the first object in a list.
id() { sed -n -e 's/^{"id":"\([^"]*\)".*/\1/p' -e 's/^{"object":"list","data":\[{"id":"\([^"]*\)".*/\1/p'; }
# curl that prints the answer and fails on a 4xx/5xx (the problem+json says why).
call() { curl -sS --fail-with-body "$@"; }

echo '# The seller details every invoice prints (set once; the development merchant has these)'
call -X PATCH "$API/v1/merchant" -H "$auth" -H "$json" -H "$(ikey)" -d '{
  "legal_name":"Omtanke Demo AB","organisation_number":"559912-3451","vat_number":"SE559912345101",
  "registered_office":"Stockholm","f_skatt":true,"bankgiro":"5050-1055","swish_number":"1231181189",
  "address":{"line1":"Drottninggatan 1","postal_code":"11151","city":"Stockholm"},
  "contact_email":"faktura@demo.example","contact_phone":"08-123 456 78","invoice_number_prefix":"F-"}'
echo

echo '# A customer: national ids are checked by their check digit, stored normalised, shown masked'
customer=$(call "$API/v1/customers" -H "$auth" -H "$json" -H "$(ikey)" -d '{
  "name":"Anna Andersson","email":"anna@example.se","national_id":"19811218-9876",
  "address":{"line1":"Storgatan 1","postal_code":"11451","city":"Stockholm"},
  "external_id":"crm-4711","metadata":{"segment":"b2c"}}')
echo "$customer"
CUSTOMER=$(echo "$customer" | id)
call "$API/v1/customers/$CUSTOMER" -H "$auth"; echo                       # retrieve
call -X PATCH "$API/v1/customers/$CUSTOMER" -H "$auth" -H "$json" -H "$(ikey)" \
  -d '{"phone":"+46701234567","metadata":{"segment":null}}'; echo          # update (null removes a key)
call "$API/v1/customers?limit=10" -H "$auth"; echo                         # list, newest first

echo '# A product and its price: 199 kr a month, VAT included'
PRODUCT=$(call "$API/v1/products" -H "$auth" -H "$json" -H "$(ikey)" -d '{"name":"Omtanke Pro"}' | id)
price=$(call "$API/v1/prices" -H "$auth" -H "$json" -H "$(ikey)" -d '{"product":"'"$PRODUCT"'",
  "unit_amount":19900,"tax_behavior":"inclusive","vat_rate":25,"type":"recurring","recurring":{"interval":"month"}}')
echo "$price"
PRICE=$(echo "$price" | id)

echo '# A subscription: its first period starts today, so its first invoice is finalised at once'
subscription=$(call "$API/v1/subscriptions" -H "$auth" -H "$json" -H "$(ikey)" \
  -d '{"customer":"'"$CUSTOMER"'","items":[{"price":"'"$PRICE"'","quantity":1}]}')
echo "$subscription"
SUBSCRIPTION=$(echo "$subscription" | id)

echo '# Its invoice: number, OCR reference, due date, VAT per rate; and as the customer sees it'
invoices=$(call "$API/v1/invoices?subscription=$SUBSCRIPTION" -H "$auth")
echo "$invoices"
INVOICE=$(echo "$invoices" | id)
call "$API/v1/invoices/$INVOICE/pdf" -H "$auth" -o "${OUT:-.}/faktura.pdf"  # or /html
echo "wrote ${OUT:-.}/faktura.pdf"

echo '# A payment made outside Omtanke (say, a bank transfer): the invoice is paid'
call -X POST "$API/v1/invoices/$INVOICE/pay" -H "$auth" -H "$(ikey)"; echo

echo '# The customer leaves at the end of the period, and says why'
call -X POST "$API/v1/subscriptions/$SUBSCRIPTION/cancel" -H "$auth" -H "$json" -H "$(ikey)" \
  -d '{"reason":"too_expensive","feedback":"Billigare hos konkurrenten","initiator":"customer","at_period_end":true}'
echo

echo '# Everything that happened, as events (webhooks:listen has printed them as they came)'
call "$API/v1/events?limit=20" -H "$auth" | grep -o '"type":"[a-z_]*\.[a-z_.]*"' | sort | uniq -c
