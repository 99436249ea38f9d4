/**
 * The demo API key (docs/contracts.md; scripts/lib/services.mjs and docker-compose.yml use it). Public demo data: the
 * seed prints it, and the OpenAPI document names it only in demo mode (DEMO_MODE).
 */
export const DEMO_API_KEY = 'sk_payment_demo_0001';
