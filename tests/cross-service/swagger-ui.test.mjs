// Swagger UI in a real browser: each service's /docs is opened in headless Chromium, authorized
// with an API key, and a real call is made through "Try it out". Needs Debian's chromium
// (.ci/run installs it); without it this file reports itself skipped with the reason.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { chromium } from 'playwright-core';
import { startStack } from './harness.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM}`;

describe('Swagger UI in headless Chromium', { skip }, () => {
  let stack;
  let browser;

  before(async () => {
    stack = await startStack({ name: 'swagger-ui' });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  /**
   * Opens /docs, authorizes with the key, runs one operation with "Try it out", returns status and body text. Fails
   * if the page broke its Content-Security-Policy (script-src 'self', no inline script): Chromium reports each
   * blocked script, style or connection on the console.
   */
  async function tryItOut(baseUrl, apiKey, method, path) {
    const page = await browser.newPage();
    const cspViolations = [];
    page.on('console', (message) => {
      if (message.text().includes('Content Security Policy')) cspViolations.push(message.text());
    });
    try {
      await page.goto(`${baseUrl}/docs`);
      await page.locator('.btn.authorize').first().click();
      await page.locator('.modal-ux input').first().fill(apiKey);
      await page.locator('.modal-ux .auth-btn-wrapper .btn.authorize').click();
      await page.locator('.modal-ux .btn-done').click();

      const operation = page.locator(`.opblock-${method}`, {
        has: page.locator(`.opblock-summary-path[data-path="${path}"]`),
      });
      await operation.locator('.opblock-summary').first().click();
      await operation.locator('.try-out__btn').click();
      await operation.locator('.execute').click();
      const liveResponse = operation.locator('.live-responses-table .response');
      await liveResponse.first().waitFor({ timeout: 15_000 });
      const status = (await liveResponse.locator('.response-col_status').first().innerText()).trim();
      const body = await liveResponse.locator('.response-col_description pre').first().innerText();
      assert.deepEqual(cspViolations, [], 'Swagger UI runs within its Content-Security-Policy');
      return { status, body };
    } finally {
      await page.close();
    }
  }

  it('should list plans from the subscription service Swagger UI with an admin key', async () => {
    const admin = stack.subscriptionApi();
    const plan = await admin.post('/v1/plans', {
      code: `swagger-${Date.now()}`,
      name: 'Swagger plan',
      description: 'created for the browser test',
      amount: 4200,
      currency: 'USD',
      interval: 'month',
      intervalCount: 1,
    });
    assert.equal(plan.status, 201);

    const { status, body } = await tryItOut(stack.subscriptionUrl, stack.adminKey, 'get', '/v1/plans');
    assert.equal(status, '200');
    assert.ok(body.includes(plan.body.code), `the response shown on the page lists the plan: ${body.slice(0, 300)}`);
  });

  it('should create a payment from the payment service Swagger UI with its example body', async () => {
    const { status, body } = await tryItOut(stack.paymentUrl, stack.paymentKey, 'post', '/v1/payments');
    assert.equal(status, '202');
    const payment = JSON.parse(body);
    assert.equal(payment.status, 'processing');
    const stored = await stack.paymentApi.get(`/v1/payments/${payment.id}`);
    assert.equal(stored.status, 200, 'the payment created through the page exists');
  });
});
