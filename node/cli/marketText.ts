// What the market commands print for a person (their --json output is the peer's answer as it
// is). Every amount of money carries the network's unit, agreeing with the count ("1 hour"), as
// balance, send and history print it; volumes and capacities are the service's, not money.
import type {
  ControlResults,
  JobRow,
  NegotiationOut,
  Wire,
} from '../../shared/control/contract.ts';
import { amountWithUnit } from '../../shared/wallet/unitText.ts';

/** `gpow offer`: the capacity is in the service's unit, the rate (per unit of it) is money. */
export function offerText(
  service: string,
  capacity: string,
  rate: string,
  r: Wire<ControlResults['market-offer']>,
): string {
  return `Offered ${service}: capacity ${capacity}, rate ${amountWithUnit(rate, r.unit)}.\nTransaction: ${r.id}`;
}

export function bondText(amount: string, r: Wire<ControlResults['market-bond']>): string {
  return `Bonded ${amountWithUnit(amount, r.unit)}: you can now be drawn as a validator.\nTransaction: ${r.id}`;
}

/** The ranking as a table; the Total column (money) as wide as its longest amount with unit. */
export function describeNegotiation(r: Wire<NegotiationOut>): string {
  const totals = r.ranked.map((row) => amountWithUnit(row.total, r.unit));
  const width = Math.max('Total'.length, ...totals.map((t) => t.length));
  const lines = [
    `${'Provider'.padEnd(64)}  ${'Total'.padStart(width)}  ${'Free'.padStart(7)}  ${'Score'.padStart(5)}`,
  ];
  r.ranked.forEach((row, i) => {
    const mark = row.provider === r.recommended ? '  ← recommended' : '';
    lines.push(
      `${row.provider.padEnd(64)}  ${(totals[i] ?? '').padStart(width)}  ${row.freeCapacity.padStart(7)}  ${String(row.score).padStart(5)}${mark}`,
    );
  });
  if (r.ranked.length === 0) lines.push('(no provider can take this job)');
  for (const row of r.excluded) lines.push(`excluded ${row.provider}: ${row.detail}`);
  return lines.join('\n');
}

export function describeJob(row: Wire<JobRow>): string {
  const lines = [
    `${row.id}  ${row.service}  (${row.role})  ${row.state}${row.settled ? ', settled' : ''}`,
    `  price ${amountWithUnit(row.price, row.unit)}, escrow ${amountWithUnit(row.escrow, row.unit)}; consumer ${row.consumer}; provider ${row.provider}`,
  ];
  if (row.waiting) lines.push(`  ${row.waiting}`);
  if (row.committee.length > 0) lines.push(`  validators: ${row.committee.join(', ')}`);
  if (row.fields) lines.push(`  ${JSON.stringify(row.fields)}`);
  if (row.details) lines.push(`  private details: ${JSON.stringify(row.details)}`);
  if (row.delivery) lines.push(`  delivered: ${row.delivery}`);
  const evidence = row.evidence;
  if (evidence?.unreadable) lines.push(`  disputed: ${evidence.unreadable}`);
  if (evidence?.text !== undefined) {
    const check = evidence.matches
      ? 'it matches the hash the provider delivered'
      : 'it does NOT match the hash the provider delivered';
    lines.push(`  disputed delivery, sealed for you (${check}):`, `    ${evidence.text}`);
    if (evidence.details) lines.push(`  private details: ${JSON.stringify(evidence.details)}`);
  }
  return lines.join('\n');
}
