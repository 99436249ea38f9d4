#!/usr/bin/env bash
# The scripted demo in curl + jq, for reading: the same walk as `npm run demo` (scripts/demo.mjs).
# Stops with a non-zero exit the moment a response is not what README.md says.
#   SUBSCRIPTION_URL (http://localhost:3000)  PAYMENT_URL (http://localhost:3001)
#   ADMIN_API_KEY (else the first of ADMIN_API_KEYS; sk_admin_demo_subscription_0001)  PAYMENT_API_KEY (sk_payment_demo_0001)
set -euo pipefail
S=${SUBSCRIPTION_URL:-http://localhost:3000}
P=${PAYMENT_URL:-http://localhost:3001}
FIRST_ADMIN_KEY=${ADMIN_API_KEYS:-}
FIRST_ADMIN_KEY=${FIRST_ADMIN_KEY%%,*}
ADMIN=${ADMIN_API_KEY:-${FIRST_ADMIN_KEY:-sk_admin_demo_subscription_0001}}
PAY=${PAYMENT_API_KEY:-sk_payment_demo_0001}

step() { printf '\n== %s\n' "$*"; }
after() { date -u -d "$1 + 1 second" +%Y-%m-%dT%H:%M:%S.000Z; } # an ISO instant just after $1
fail() { printf 'DEMO FAILED: %s\n' "$*" >&2; exit 1; }
# call KEY METHOD URL [JSON]: prints the exchange, leaves the body in $BODY and the status in $STATUS
call() {
  local key=$1 method=$2 url=$3 data=${4:-}
  printf -- '-> %s %s %s\n' "$method" "$url" "$data"
  local args=(-sS -X "$method" -H "Authorization: Bearer $key" -w '\n%{http_code}')
  if [ -n "$data" ]; then args+=(-H 'Content-Type: application/json' -H "Idempotency-Key: $(cat /proc/sys/kernel/random/uuid)" -d "$data"); fi
  local out; out=$(curl "${args[@]}" "$url") || fail "cannot reach $url"
  STATUS=${out##*$'\n'}; BODY=${out%$'\n'*}
  printf '<- %s\n' "$STATUS"; jq . <<<"$BODY"
}
expect() { # expect JQ_FILTER DESCRIPTION: the filter must be true on $BODY
  jq -e "$1" <<<"$BODY" >/dev/null || fail "$2"
  printf '   ok: %s\n' "$2"
}
wait_for() { # wait_for KEY URL JQ_FILTER DESCRIPTION
  for _ in $(seq 1 80); do
    BODY=$(curl -sS -H "Authorization: Bearer $1" "$2")
    if jq -e "$3" <<<"$BODY" >/dev/null; then printf '   ok: %s\n' "$4"; return; fi
    sleep 0.25
  done
  fail "timed out waiting for: $4"
}

step "List plans"
call "$ADMIN" GET "$S/v1/plans?active=true"
STARTER=$(jq -r '.data[] | select(.code=="starter-monthly") | .id' <<<"$BODY")
PRO=$(jq -r '.data[] | select(.code=="pro-monthly") | .id' <<<"$BODY")
[ -n "$STARTER" ] && [ -n "$PRO" ] || fail "seed plans missing"

step "Create a customer (admin)"
call "$ADMIN" POST "$S/v1/users" "{\"email\":\"demo-sh-$(date +%s%N)@example.com\",\"name\":\"Shell Demo\"}"
expect '.apiKey | startswith("sk_live_")' "the API key is shown once"
KEY=$(jq -r .apiKey <<<"$BODY")

step "Subscribe with pm_card_visa"
call "$KEY" POST "$S/v1/subscriptions" "{\"planId\":\"$STARTER\",\"paymentMethod\":\"pm_card_visa\"}"
expect '.status == "incomplete"' "incomplete until the payment webhook arrives"
SUB=$(jq -r .id <<<"$BODY"); INVOICE=$(jq -r .latestInvoice.id <<<"$BODY")

step "Payment succeeds, webhook delivered, subscription active"
wait_for "$KEY" "$S/v1/subscriptions/$SUB" '.status == "active" and .hasAccess' "active with access"
call "$PAY" GET "$P/v1/payments?merchantReference=$INVOICE"
expect '.data[0].status == "succeeded"' "the gateway's ledger shows the payment succeeded"

step "Upgrade to pro-monthly (prorated, applied when paid)"
call "$KEY" POST "$S/v1/subscriptions/$SUB/change-plan" "{\"planId\":\"$PRO\"}"
expect ".pendingPlanId == \"$PRO\"" "the upgrade is pending payment"
wait_for "$KEY" "$S/v1/subscriptions/$SUB" ".planId == \"$PRO\" and .pendingPlanId == null" "plan switched to pro-monthly"

step "Downgrade to starter-monthly (at period end)"
call "$KEY" POST "$S/v1/subscriptions/$SUB/change-plan" "{\"planId\":\"$STARTER\"}"
expect ".scheduledPlanId == \"$STARTER\" and .planId == \"$PRO\"" "downgrade scheduled, pro kept until then"

step "Cancel at period end, then resume"
call "$KEY" POST "$S/v1/subscriptions/$SUB/cancel" '{"atPeriodEnd":true}'
expect '.cancelAtPeriodEnd and .status == "active" and .hasAccess' "still active and entitled until the period ends"
call "$KEY" POST "$S/v1/subscriptions/$SUB/resume" '{}'
expect '.cancelAtPeriodEnd == false' "the pending cancellation is undone"

step "Renewal (test clock, admin): period ends, scheduled downgrade applies, renewal invoice paid"
call "$KEY" GET "$S/v1/subscriptions/$SUB"
END=$(jq -r .currentPeriodEnd <<<"$BODY")
call "$ADMIN" POST "$S/v1/subscriptions/$SUB/test-clock/advance" "{\"to\":\"$(after "$END")\"}"
expect '.renewalInvoiceId != null' "a renewal invoice was issued"
wait_for "$KEY" "$S/v1/subscriptions/$SUB" ".status == \"active\" and .renewalInvoiceId == null and .currentPeriodStart == \"$END\" and .planId == \"$STARTER\"" "renewed on starter-monthly, period advanced"

step "Dunning: the card on file is declined at the next renewal -> past_due"
call "$KEY" PATCH "$S/v1/subscriptions/$SUB" '{"paymentMethod":"pm_card_declined"}'
expect '.paymentMethod == "pm_card_declined"' "payment method on file changed"
END=$(jq -r .currentPeriodEnd <<<"$BODY")
call "$ADMIN" POST "$S/v1/subscriptions/$SUB/test-clock/advance" "{\"to\":\"$(after "$END")\"}"
wait_for "$KEY" "$S/v1/subscriptions/$SUB" '.status == "past_due" and .nextPaymentRetryAt != null and .hasAccess' "past_due, retry scheduled, still entitled"

step "Recovery: card updated, the open renewal invoice is charged with it at once -> active"
call "$KEY" PATCH "$S/v1/subscriptions/$SUB" '{"paymentMethod":"pm_card_visa"}'
expect '.latestInvoice.payments[-1].initiatedBy == "customer"' "a payment with the new card was requested at once"
wait_for "$KEY" "$S/v1/subscriptions/$SUB" ".status == \"active\" and .renewalInvoiceId == null and .currentPeriodStart == \"$END\"" "active again, period advanced"

step "A declined card"
call "$ADMIN" POST "$S/v1/users" "{\"email\":\"demo-sh-declined-$(date +%s%N)@example.com\",\"name\":\"Declined\"}"
KEY2=$(jq -r .apiKey <<<"$BODY")
call "$KEY2" POST "$S/v1/subscriptions" "{\"planId\":\"$STARTER\",\"paymentMethod\":\"pm_card_declined\"}"
SUB2=$(jq -r .id <<<"$BODY"); INVOICE2=$(jq -r .latestInvoice.id <<<"$BODY")
wait_for "$KEY2" "$S/v1/invoices/$INVOICE2" '.status == "failed" and .failureCode == "card_declined"' "invoice failed: card_declined"
call "$KEY2" GET "$S/v1/subscriptions/$SUB2"
expect '.status == "incomplete" and (.hasAccess | not)' "the subscription is not active"

step "A refund: canceled while the charge is at the gateway; the money that is not owed goes back in full"
call "$ADMIN" POST "$S/v1/users" "{\"email\":\"demo-sh-refund-$(date +%s%N)@example.com\",\"name\":\"Refunded\"}"
KEY3=$(jq -r .apiKey <<<"$BODY")
# pm_card_processing_error: the first attempt fails retryably, the second succeeds about 2 s later.
call "$KEY3" POST "$S/v1/subscriptions" "{\"planId\":\"$PRO\",\"paymentMethod\":\"pm_card_processing_error\"}"
SUB3=$(jq -r .id <<<"$BODY"); INVOICE3=$(jq -r .latestInvoice.id <<<"$BODY")
wait_for "$PAY" "$P/v1/payments?merchantReference=$INVOICE3" '.data[0].status == "processing"' "the charge is at the gateway"
PAYMENT3=$(jq -r '.data[0].id' <<<"$BODY")
call "$KEY3" POST "$S/v1/subscriptions/$SUB3/cancel" '{"atPeriodEnd":false}'
expect '.status == "canceled" and .latestInvoice.status == "void"' "canceled now: the invoice is void"
wait_for "$KEY3" "$S/v1/invoices/$INVOICE3" '.refunds[0].status == "succeeded" and .amountRefunded == .amount' "the late success is refunded in full"
call "$PAY" GET "$P/v1/payments/$PAYMENT3"
expect '.amountRefunded == .amount' "the payment service shows the payment refunded in full"

printf '\nDEMO PASSED\n'
