/** Fixed ids of the seeded demo rows, referenced by the seed and by Swagger examples. */
export const SEED_IDS = {
  users: {
    alice: '00000000-0000-4000-8000-000000000001',
    bob: '00000000-0000-4000-8000-000000000002',
  },
  plans: {
    starterMonthly: '00000000-0000-4000-8000-000000000101',
    proMonthly: '00000000-0000-4000-8000-000000000102',
    businessMonthly: '00000000-0000-4000-8000-000000000103',
    proYearly: '00000000-0000-4000-8000-000000000104',
  },
  bobSubscription: '00000000-0000-4000-8000-000000000201',
  bobInitialInvoice: '00000000-0000-4000-8000-000000000301',
  bobInitialInvoicePayment: '00000000-0000-4000-8000-000000000401',
  apiKeys: {
    alice: '00000000-0000-4000-8000-000000000501',
    bob: '00000000-0000-4000-8000-000000000502',
  },
} as const;

/**
 * Demo keys from docs/contracts.md: deterministic so the walkthrough works. Public, so the OpenAPI document names them
 * only in demo mode (DEMO_MODE).
 */
export const DEMO_KEYS = {
  admin: 'sk_admin_demo_subscription_0001',
  alice: 'sk_user_demo_alice_0001',
  bob: 'sk_user_demo_bob_0001',
} as const;
