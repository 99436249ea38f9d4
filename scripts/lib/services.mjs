// The environment the two services run with outside Docker, for a stack on given ports and databases.
// `npm start` (scripts/start.mjs) and the benchmark (bench/) both use it, so they start the services alike.

/** Demo keys and webhook secret (docs/contracts.md); `npm start` lets the environment override them. */
export const DEMO_SECRETS = {
  adminKey: 'sk_admin_demo_subscription_0001',
  paymentKey: 'sk_payment_demo_0001',
  webhookSecret: 'whsec_ZGVtb19zZWNyZXRfZm9yX2xvY2FsX3dlYmhvb2tz',
};

/** Environment of each service keyed by its folder name, payment-service first (it is set up and started first). */
export function serviceEnvironments({
  paymentPort,
  subscriptionPort,
  paymentDb,
  subscriptionDb,
  secrets = DEMO_SECRETS,
  testClockEnabled = 'true',
}) {
  return {
    'payment-service': {
      PORT: String(paymentPort),
      DATABASE_URL: paymentDb,
      API_KEYS: secrets.paymentKey,
      WEBHOOK_URL: `http://127.0.0.1:${subscriptionPort}/v1/webhooks/payments`,
      WEBHOOK_SECRET: secrets.webhookSecret,
      // Demo setups: the OpenAPI document names the demo key. TRUSTED_PROXIES and the rest pass through from the
      // environment (npm start hands it on).
      DEMO_MODE: 'true',
    },
    'subscription-service': {
      PORT: String(subscriptionPort),
      DATABASE_URL: subscriptionDb,
      ADMIN_API_KEYS: secrets.adminKey,
      PAYMENT_SERVICE_URL: `http://127.0.0.1:${paymentPort}`,
      PAYMENT_SERVICE_API_KEY: secrets.paymentKey,
      PAYMENT_WEBHOOK_SECRETS: secrets.webhookSecret,
      TEST_CLOCK_ENABLED: testClockEnabled,
      DEMO_MODE: 'true',
    },
  };
}
