import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SUBSCRIPTION_TRANSITIONS } from './subscription-status';

const doc = readFileSync(join(__dirname, '../../../../docs/state-machine.md'), 'utf8');
const section = doc.slice(doc.indexOf('## 1. Subscription status'), doc.indexOf('## 2.'));

const tableEdges = Object.entries(SUBSCRIPTION_TRANSITIONS)
  .flatMap(([from, tos]) => tos.map((to) => `${from} → ${to}`))
  .sort();

describe('docs/state-machine.md §1 and the subscription transition table', () => {
  it('should draw exactly the transitions SUBSCRIPTION_TRANSITIONS allows', () => {
    const diagram = section.slice(
      section.indexOf('```mermaid'),
      section.indexOf('```', section.indexOf('```mermaid') + 3),
    );
    const drawn = [...diagram.matchAll(/^\s*(\w+) --> (\w+)/gm)].map(([, from, to]) => `${from} → ${to}`).sort();
    expect(drawn).toEqual(tableEdges);
  });

  it('should list exactly the same transitions in its "allowed to" table', () => {
    const rows = [...section.matchAll(/^\| `(\w+)` \| (.+) \|$/gm)];
    const listed = rows
      .flatMap(([, from, tos]) => [...tos.matchAll(/`(\w+)`/g)].map(([, to]) => `${from} → ${to}`))
      .sort();
    expect(rows.map(([, from]) => from).sort()).toEqual(Object.keys(SUBSCRIPTION_TRANSITIONS).sort());
    expect(listed).toEqual(tableEdges);
  });
});
