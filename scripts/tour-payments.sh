#!/usr/bin/env bash
# The payments tour: how a customer pays and gets invoices, a bank file, and an invoice paid.
# As for the API tour: npm start, npm run webhooks:listen, then here (from the project folder):
#   export KEY=sk_test_… && bash scripts/tour-payments.sh
set -euo pipefail
API=${API:-http://localhost:3000}
: "${KEY:?export KEY=sk_test_… first (printed by the first npm start, or by npm run merchant:create)}"
auth="Authorization: Bearer $KEY"
json='Content-Type: application/json'
ikey() { echo "Idempotency-Key: tour-$(date +%s%N)-$RANDOM"; }
id() { sed -n -e 's/^{"id":"\([^"]*\)".*/\1/p' -e 's/^{"object":"list","data":\[{"id":"\([^"]*\)".*/\1/p'; }
call() { curl -sS --fail-with-body "$@"; }

echo '# Bankgirot sends the payments to the seller bankgiro (its published sample file pays 991-2346)'
call -X PATCH "$API/v1/merchant" -H "$auth" -H "$json" -H "$(ikey)" -d '{
  "legal_name":"Omtanke Demo AB","organisation_number":"559912-3451","vat_number":"SE559912345101",
  "registered_office":"Stockholm","bankgiro":"991-2346",
  "address":{"line1":"Drottninggatan 1","postal_code":"11151","city":"Stockholm"}}'
echo

echo '# A company customer, and how it pays and gets its invoices (each change kept, with who and why)'
CUSTOMER=$(call "$API/v1/customers" -H "$auth" -H "$json" -H "$(ikey)" -d '{
  "type":"company","name":"Kalles Plåt AB","email":"faktura@kallesplat.example","national_id":"556677-8899"}' | id)
call -X POST "$API/v1/customers/$CUSTOMER/payment-method" -H "$auth" -H "$json" -H "$(ikey)" \
  -d '{"type":"bankgiro","initiator":"customer","reason":"Betalar med OCR från banken"}'; echo
call -X POST "$API/v1/customers/$CUSTOMER/delivery" -H "$auth" -H "$json" -H "$(ikey)" \
  -d '{"type":"email_pdf","initiator":"merchant","reason":"Vill ha fakturan som PDF"}'; echo
call "$API/v1/customers/$CUSTOMER/choices/history" -H "$auth"; echo

echo '# The bank file: parsed on upload (a malformed one is refused whole), then booked by a job'
FILE=$(call -X POST "$API/v1/payment-files" -H "$auth" -H 'Content-Type: text/plain' -H "$(ikey)" \
  --data-binary @test/payments/fixtures/bgmax_bankgirot_exempelfil_ocr-kontroll_checksiffra_langd.latin1.txt | id)
until call "$API/v1/payment-files/$FILE" -H "$auth" | grep -q '"status":"completed"'; do sleep 0.5; done
call "$API/v1/payment-files/$FILE" -H "$auth"; echo

echo '# Its references match no invoice of ours: the payments wait in the unmatched queue'
queue=$(call "$API/v1/payments?status=unmatched&limit=100" -H "$auth")
echo "$queue"
# The first one in kronor (the 2004 sample has a EUR section too), read with node.
PAYMENT=$(echo "$queue" | node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8")).data.find((p) => p.currency === "SEK").id')
AMOUNT=$(echo "$queue" | node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8")).data.find((p) => p.currency === "SEK").amount')

echo '# An invoice for what was paid, then the payment assigned to it by hand: the invoice is paid'
INVOICE=$(call "$API/v1/invoices" -H "$auth" -H "$json" -H "$(ikey)" -d '{"customer":"'"$CUSTOMER"'",
  "auto_finalize":true,"lines":[{"description":"Plåtarbete","unit_amount":'"$AMOUNT"',"tax_behavior":"inclusive","vat_rate":25}]}' | id)
call -X POST "$API/v1/payments/$PAYMENT/assign" -H "$auth" -H "$json" -H "$(ikey)" -d '{"invoice":"'"$INVOICE"'"}'; echo
call "$API/v1/invoices/$INVOICE" -H "$auth"; echo
