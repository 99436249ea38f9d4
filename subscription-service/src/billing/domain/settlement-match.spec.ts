import { Obligation, obligationMismatches, ReportedPayment } from './settlement-match';

const obligation: Obligation = { invoiceId: 'inv-1', amount: 2900, currency: 'USD', gatewayPaymentId: null };
const matching: ReportedPayment = { id: 'pay-1', amount: 2900, currency: 'USD', merchantReference: 'inv-1' };

describe('obligationMismatches', () => {
  it('should find nothing when amount, currency and merchant reference match and no gateway id is known yet', () => {
    expect(obligationMismatches(obligation, matching)).toEqual([]);
  });

  it('should report every differing field of a signed event for 1 EUR naming a 2900 USD invoice payment', () => {
    expect(obligationMismatches(obligation, { ...matching, amount: 1, currency: 'EUR' })).toEqual([
      'amount_mismatch',
      'currency_mismatch',
    ]);
  });

  it('should report a merchant reference that names another invoice', () => {
    expect(obligationMismatches(obligation, { ...matching, merchantReference: 'inv-2' })).toEqual([
      'merchant_reference_mismatch',
    ]);
  });

  it('should treat fields the report left out as mismatches', () => {
    expect(
      obligationMismatches(obligation, { id: 'pay-1', amount: null, currency: null, merchantReference: null }),
    ).toEqual(['amount_mismatch', 'currency_mismatch', 'merchant_reference_mismatch']);
  });

  it('should require the gateway payment id once the obligation knows it', () => {
    const known = { ...obligation, gatewayPaymentId: 'pay-1' };
    expect(obligationMismatches(known, matching)).toEqual([]);
    expect(obligationMismatches(known, { ...matching, id: 'pay-2' })).toEqual(['gateway_payment_id_mismatch']);
  });
});
