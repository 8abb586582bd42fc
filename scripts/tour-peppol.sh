#!/usr/bin/env bash
# The e-invoicing tour: a company customer, an invoice, its Peppol e-invoice (UBL) and the check.
# As for the API tour: npm start (its merchant has the seller details), then here (from the project
# folder):   export KEY=sk_test_… && bash scripts/tour-peppol.sh
set -euo pipefail
API=${API:-http://localhost:3000}
: "${KEY:?export KEY=sk_test_… first (printed by the first npm start, or by npm run merchant:create)}"
auth="Authorization: Bearer $KEY"
json='Content-Type: application/json'
ikey() { echo "Idempotency-Key: tour-$(date +%s%N)-$RANDOM"; }
id() { sed -n -e 's/^{"id":"\([^"]*\)".*/\1/p' -e 's/^{"object":"list","data":\[{"id":"\([^"]*\)".*/\1/p'; }
call() { curl -sS --fail-with-body "$@"; }

echo '# A company that takes e-invoices: organisationsnummer, peppol delivery, its own reference'
customer=$(call "$API/v1/customers" -H "$auth" -H "$json" -H "$(ikey)" -d '{
  "type":"company","name":"Östersunds Kommunteknik AB","national_id":"556036-0793",
  "vat_number":"SE556036079301","email":"faktura@kommunteknik.example",
  "address":{"line1":"Rådhusgatan 42","postal_code":"83182","city":"Östersund"},
  "delivery":{"type":"peppol"},"buyer_reference":"Inköp 4711","buyer_reference_required":true}')
echo "$customer"
CUSTOMER=$(echo "$customer" | id)

echo '# An invoice with two VAT rates, finalised at once (and queued for the Peppol network)'
invoice=$(call "$API/v1/invoices" -H "$auth" -H "$json" -H "$(ikey)" -d '{"customer":"'"$CUSTOMER"'",
  "auto_finalize":true,"lines":[{"description":"Konsulttimmar","quantity":3,"unit_amount":124990,"vat_rate":25},
  {"description":"Lunch","quantity":2,"unit_amount":8950,"vat_rate":12}]}')
echo "$invoice"
INVOICE=$(echo "$invoice" | id)

echo '# Its e-invoice: UBL 2.1, Peppol BIS Billing 3.0, checked by schema and rules before it is served'
call "$API/v1/invoices/$INVOICE/ubl" -H "$auth" -o "${OUT:-.}/faktura.xml"
grep -E '<cbc:(ID|PaymentID|PayableRoundingAmount|PayableAmount)\b' "${OUT:-.}/faktura.xml" | head -5

echo '# The same check, offline, on any UBL file (exit 1 when the network would reject it)'
npm run --silent peppol:validate -- "${OUT:-.}/faktura.xml"

echo '# The worker hands it to the access point once: invoice.sent follows'
for _ in $(seq 1 50); do
  sent=$(call "$API/v1/events?type=invoice.sent&object_id=$INVOICE" -H "$auth")
  case "$sent" in *'"type":"invoice.sent"'*) break ;; esac
  sleep 0.2
done
echo "$sent" | grep -o '"type":"invoice.sent"'
