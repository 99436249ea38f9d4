import { InvalidConfigError, loadConfig } from './app-config';

const VALID_ENV = {
  DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/payments',
  API_KEYS: 'sk_a, sk_b',
  WEBHOOK_URL: 'http://localhost:3000/v1/webhooks/payments',
  WEBHOOK_SECRET: 'whsec_ZGVtb19zZWNyZXRfZm9yX2xvY2FsX3dlYmhvb2tz',
};

describe('loadConfig', () => {
  it('should apply the documented defaults', () => {
    expect(loadConfig(VALID_ENV)).toMatchObject({
      port: 3001,
      apiKeys: ['sk_a', 'sk_b'],
      simulationSuccessRate: 0.8,
      simulationDelayMs: 300,
      webhookRetryScheduleMs: [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000],
      webhookTimeoutMs: 15_000,
      workerPollIntervalMs: 250,
      workersEnabled: true,
      swaggerEnabled: true,
      trustedProxies: [],
      demoMode: false,
    });
  });

  it('should read TRUSTED_PROXIES as a list and refuse an entry that is no address or range', () => {
    expect(loadConfig({ ...VALID_ENV, TRUSTED_PROXIES: '10.0.0.0/8, ::1' }).trustedProxies).toEqual([
      '10.0.0.0/8',
      '::1',
    ]);
    expect(() => loadConfig({ ...VALID_ENV, TRUSTED_PROXIES: 'true' })).toThrow(/TRUSTED_PROXIES/);
  });

  it('should parse numbers and booleans from strings', () => {
    expect(
      loadConfig({ ...VALID_ENV, PORT: '8080', WORKERS_ENABLED: 'false', SIMULATION_SUCCESS_RATE: '0.25' }),
    ).toMatchObject({
      port: 8080,
      workersEnabled: false,
      simulationSuccessRate: 0.25,
    });
  });

  it('should list every missing or invalid variable in one error', () => {
    const load = () => loadConfig({ API_KEYS: ' , ', WEBHOOK_SECRET: 'not-a-secret', PORT: 'eighty' });
    expect(load).toThrow(InvalidConfigError);
    expect(load).toThrow(
      /DATABASE_URL: is required\n.*PORT: .*\n.*API_KEYS: .*at least one key.*\n.*WEBHOOK_URL: is required\n.*WEBHOOK_SECRET: .*whsec_/,
    );
  });

  it.each(['ture', 'yes', '1'])('should refuse WORKERS_ENABLED=%s at boot instead of reading it as false', (value) => {
    expect(() => loadConfig({ ...VALID_ENV, WORKERS_ENABLED: value })).toThrow(
      /WORKERS_ENABLED: WORKERS_ENABLED must be a boolean value/,
    );
  });

  it('should reject a malformed retry schedule', () => {
    expect(() => loadConfig({ ...VALID_ENV, WEBHOOK_RETRY_SCHEDULE: '5s,soon' })).toThrow(
      /WEBHOOK_RETRY_SCHEDULE: invalid delay "soon"/,
    );
  });
});
