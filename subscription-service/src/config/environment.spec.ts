import { InvalidEnvironmentError, validateEnvironment } from './environment';

const VALID = {
  DATABASE_URL: 'postgresql://postgres@localhost:5432/subscriptions',
  ADMIN_API_KEYS: 'sk_admin_demo_subscription_0001',
  PAYMENT_SERVICE_URL: 'http://localhost:3001',
  PAYMENT_SERVICE_API_KEY: 'sk_payment_demo_0001',
  PAYMENT_WEBHOOK_SECRETS: 'whsec_ZGVtb19zZWNyZXRfZm9yX2xvY2FsX3dlYmhvb2tz',
};

describe('validateEnvironment', () => {
  it('should apply the documented defaults', () => {
    expect(validateEnvironment(VALID)).toMatchObject({
      PORT: 3000,
      LOG_LEVEL: 'info',
      WEBHOOK_TOLERANCE_SECONDS: 300,
      OUTBOX_POLL_INTERVAL_MS: 500,
      HTTP_TIMEOUT_MS: 10000,
      SWAGGER_ENABLED: true,
      WORKERS_ENABLED: true,
      RATE_LIMIT_PER_MINUTE: 6000,
      BILLING_POLL_INTERVAL_MS: 5000,
      DUNNING_RETRY_SCHEDULE: '1d,3d,5d',
      TEST_CLOCK_ENABLED: false,
      RETRY_ON_PAYMENT_METHOD_UPDATE: true,
      WEBHOOK_RATE_LIMIT_PER_MINUTE: 60_000,
      TRUSTED_PROXIES: '',
      DEMO_MODE: false,
    });
  });

  it('should refuse a TRUSTED_PROXIES entry that is no address or range', () => {
    expect(validateEnvironment({ ...VALID, TRUSTED_PROXIES: '10.0.0.0/8, ::1' })).toMatchObject({
      TRUSTED_PROXIES: '10.0.0.0/8, ::1',
    });
    expect(() => validateEnvironment({ ...VALID, TRUSTED_PROXIES: 'true' })).toThrow(/TRUSTED_PROXIES/);
  });

  it('should reject a dunning schedule that is not a list of durations', () => {
    expect(() => validateEnvironment({ ...VALID, DUNNING_RETRY_SCHEDULE: '1 day, 3 days' })).toThrow(
      /DUNNING_RETRY_SCHEDULE/,
    );
  });

  it('should parse numbers and booleans from strings', () => {
    expect(validateEnvironment({ ...VALID, PORT: '8080', WORKERS_ENABLED: 'false' })).toMatchObject({
      PORT: 8080,
      WORKERS_ENABLED: false,
    });
    expect(validateEnvironment({ ...VALID, RETRY_ON_PAYMENT_METHOD_UPDATE: 'false' })).toMatchObject({
      RETRY_ON_PAYMENT_METHOD_UPDATE: false,
    });
  });

  it.each(['ture', 'yes', '1'])('should refuse WORKERS_ENABLED=%s at boot instead of reading it as false', (value) => {
    expect(() => validateEnvironment({ ...VALID, WORKERS_ENABLED: value })).toThrow(
      /WORKERS_ENABLED: WORKERS_ENABLED must be a boolean value/,
    );
  });

  it('should list every missing or invalid variable in one error', () => {
    const invalid = { ...VALID, DATABASE_URL: undefined, PAYMENT_WEBHOOK_SECRETS: 'plain-secret' };
    expect(() => validateEnvironment(invalid)).toThrow(InvalidEnvironmentError);
    expect(() => validateEnvironment(invalid)).toThrow(/DATABASE_URL[\s\S]*PAYMENT_WEBHOOK_SECRETS/);
  });
});
