import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  assertInvoicePaymentTransition,
  assertInvoiceTransition,
  INVOICE_PAYMENT_STATUSES,
  INVOICE_PAYMENT_TRANSITIONS,
  INVOICE_STATUSES,
  INVOICE_TRANSITIONS,
} from './invoice-status';

/** The `from --> to` edges of the first mermaid diagram after `heading` in docs/state-machine.md (start/end markers left out). */
function documentedEdges(heading: string): string[] {
  const doc = readFileSync(join(__dirname, '../../../../docs/state-machine.md'), 'utf8');
  const section = doc.slice(doc.indexOf(heading));
  const diagram = section.slice(
    section.indexOf('```mermaid'),
    section.indexOf('```', section.indexOf('```mermaid') + 3),
  );
  return [...diagram.matchAll(/^\s*(\w+) --> (\w+)/gm)].map(([, from, to]) => `${from} → ${to}`).sort();
}

function tableEdges(table: Readonly<Record<string, readonly string[]>>): string[] {
  return Object.entries(table)
    .flatMap(([from, tos]) => tos.map((to) => `${from} → ${to}`))
    .sort();
}

describe('invoice and invoice payment state machines', () => {
  it('should allow exactly the invoice transitions docs/state-machine.md draws', () => {
    expect(tableEdges(INVOICE_TRANSITIONS)).toEqual(documentedEdges('### Invoice status'));
  });

  it('should allow exactly the invoice payment transitions docs/state-machine.md draws', () => {
    expect(tableEdges(INVOICE_PAYMENT_TRANSITIONS)).toEqual(documentedEdges('### Invoice payment status'));
  });

  it('should refuse every other move, and never move out of paid, void or succeeded', () => {
    const thrown = (move: () => void): string | null => {
      try {
        move();
        return null;
      } catch (error) {
        return (error as Error).message;
      }
    };
    for (const from of INVOICE_STATUSES) {
      for (const to of INVOICE_STATUSES) {
        const expected = INVOICE_TRANSITIONS[from].includes(to) ? null : `illegal invoice transition ${from} → ${to}`;
        expect(thrown(() => assertInvoiceTransition(from, to))).toBe(expected);
      }
    }
    for (const from of INVOICE_PAYMENT_STATUSES) {
      for (const to of INVOICE_PAYMENT_STATUSES) {
        const expected = INVOICE_PAYMENT_TRANSITIONS[from].includes(to)
          ? null
          : `illegal invoice payment transition ${from} → ${to}`;
        expect(thrown(() => assertInvoicePaymentTransition(from, to))).toBe(expected);
      }
    }
    expect(INVOICE_TRANSITIONS.paid).toEqual([]);
    expect(INVOICE_TRANSITIONS.void).toEqual([]);
    expect(INVOICE_PAYMENT_TRANSITIONS.succeeded).toEqual([]);
  });
});
