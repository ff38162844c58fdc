// 7. DNEC throughput: not measurable yet. The DNEC service transactions (Definition,
// Negotiation, Evaluation, Compensation) are not part of the ledger's transaction types, so
// there is nothing real to measure; the row says so rather than showing a made-up figure.
import type { Scenario } from '../lib/types.ts';

export const dnec: Scenario = {
  id: 's7-dnec',
  title: 'DNEC throughput',
  run() {
    return Promise.resolve({
      status: 'not-measured' as const,
      sizes: {},
      target: { text: 'none set yet', pass: null },
      metrics: [],
      notes: ['DNEC service transactions not implemented yet'],
      why: [],
    });
  },
};
