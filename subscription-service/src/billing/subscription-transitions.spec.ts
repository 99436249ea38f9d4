import { DomainError } from '../platform/errors/domain-error';
import { canTransition, SUBSCRIPTION_STATUSES } from '../subscriptions/domain/subscription-status';
import { assertTransition } from './subscription-transitions';

const ALL_PAIRS = SUBSCRIPTION_STATUSES.flatMap((from) => SUBSCRIPTION_STATUSES.map((to) => [from, to] as const));

describe('assertTransition', () => {
  it('should accept every transition the state machine allows', () => {
    for (const [from, to] of ALL_PAIRS.filter(([f, t]) => canTransition(f, t)))
      expect(() => assertTransition(from, to)).not.toThrow();
  });

  it.each(ALL_PAIRS.filter(([from, to]) => !canTransition(from, to)))(
    'should reject %s → %s with invalid_state_transition (409)',
    (from, to) => {
      let thrown: unknown;
      try {
        assertTransition(from, to);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(DomainError);
      expect(thrown).toMatchObject({ code: 'invalid_state_transition', status: 409 });
    },
  );
});
