/** Descriptions shared by the plan-change request, query and response schemas. */
export const EFFECTIVE_DESCRIPTION =
  'When the change takes effect. `now` (the default for an upgrade): billed now — prorated to the second, or a full new period ' +
  'when the interval changes — and applied when paid. `period_end` (the default for a downgrade): nothing billed now; the renewal ' +
  'invoice bills the new plan. A change asked for `now` whose unused credit would exceed its charge (a cheaper plan on the same ' +
  'interval, or e.g. pro-yearly → pro-monthly for most of the year) is scheduled for the period end instead: there is no customer ' +
  "balance to keep the surplus in. The response's `effective` and `reason` say what was done.";

export const REASON_DESCRIPTION =
  'Why it takes effect then: `default` (upgrades now, downgrades at the period end), `requested` (the `effective` asked for), ' +
  '`credit_exceeds_charge` (asked for now, but the unused part of the current plan is worth more than the change would charge; ' +
  'without a customer balance it is scheduled for the period end instead).';
