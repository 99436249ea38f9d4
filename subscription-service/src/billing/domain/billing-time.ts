/**
 * When something happens to a subscription: `billing` is its billing time (system time plus its
 * test-clock offset; stamped on invoices, payments and history), `system` the service clock (the
 * outbox worker schedules on it).
 */
export interface BillingMoment {
  readonly billing: Date;
  readonly system: Date;
}

/**
 * A subscription's billing time: the system clock plus the subscription's test-clock offset (always
 * 0 unless TEST_CLOCK_ENABLED). Every billing decision about a subscription is taken at this time.
 */
export function billingTime(systemNow: Date, clockOffsetSeconds: number): Date {
  return new Date(systemNow.getTime() + clockOffsetSeconds * 1000);
}
