// `gpow offer|bond|negotiate|request|jobs|evaluate|deliver|decline`: the DNEC life cycle from
// the command line. Every command talks to the running peer (`gpow run`), whose market
// (engine/market/market.ts) composes, signs and publishes; `control` is that peer's side.
import { parseArgs } from 'node:util';
import { fromHex, utf8 } from '../../shared/bytes.ts';
import type { CborValue } from '../../shared/codec/cbor.ts';
import { computeCost } from '../../shared/dnec/compute.ts';
import { EVIDENCE_GAP_SENTENCES, evidenceDetails } from '../../shared/dnec/evidence.ts';
import { expectedHashes } from '../../shared/dnec/pow.ts';
import { market, reputationOf, type InstanceView } from '../../shared/dnec/queries.ts';
import { BUILT_IN_SERVICES, normaliseFields, type ServiceDef } from '../../shared/dnec/services.ts';
import { serviceSchema } from '../../shared/dnec/bodies.ts';
import { describeIssues } from '../../shared/tx/schema.ts';
import * as v from 'valibot';
import type {
  ControlMethod,
  ControlParams,
  ControlResults,
  JobRow,
  NegotiationOut,
  ParsedParams,
  Wire,
} from '../../shared/control/contract.ts';
import type { KeyHex, TxId } from '../../shared/ids.ts';
import type { Ledger } from '../../shared/ledger/ledger.ts';
import { amountWithUnit } from '../../shared/wallet/unitText.ts';
import type { Market, RequestInput } from '../../engine/market/market.ts';
import { CliError, type Home } from './home.ts';
import { address, amountOf, keyOf, viaPeer, type Output } from './output.ts';

export const MARKET_USAGE = `Services (DNEC; needs the running peer)
  service register --name N --unit U --evaluation review|vote [--field NAME:text|number[:sensitive][:required]]...
                                          register a service type; its id names it
  service list                            built-in and registered service types
  offer SERVICE --capacity N --rate N     offer a service (capacity 0 withdraws)
  bond AMOUNT                             lock a bond to become an eligible validator
  negotiate SERVICE JOB [--max-rate N] [--min-reputation N] [--exclude ADDR]... [--validators M --fee F]
                                          rank the providers that can take the job, with reasons
  request SERVICE JOB [--provider ADDR] [--within A,D,R,E] (and negotiate's options)
                                          escrow the price and ask the best (or named) provider
  jobs                                    your instances: stage, outcome, payments
  evaluate REQUEST approve|dispute|pass|fail   review a delivery, or give a validator's verdict
  deliver REQUEST --text TEXT             deliver hand-made work (sealed for the consumer)
  decline REQUEST [--reason TEXT]         refuse a request, or give up an accepted one
  JOB: pow --difficulty D [--data TEXT] | compute --fn NAME --input HEX
       | task --field title=… [--field details=…] --volume HOURS`;

const JOB_OPTIONS = {
  difficulty: { type: 'string' },
  data: { type: 'string' },
  fn: { type: 'string' },
  input: { type: 'string' },
  field: { type: 'string', multiple: true },
  volume: { type: 'string' },
  'max-rate': { type: 'string' },
  'min-reputation': { type: 'string' },
  exclude: { type: 'string', multiple: true },
  validators: { type: 'string' },
  fee: { type: 'string' },
  provider: { type: 'string' },
  within: { type: 'string' },
} as const;

const count = (text: string | undefined, what: string): number | undefined => {
  if (text === undefined) return undefined;
  if (!/^\d{1,6}$/.test(text)) throw new CliError(`${what} must be a whole number`);
  return Number(text);
};

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Turns CLI options into the request parameters the peer expects (strings for bigints). */
type Values = Record<string, string | boolean | string[] | undefined>;

/** A string option's value, or undefined. */
const opt = (values: Values, name: string): string | undefined => {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
};

function requestParams(service: string, values: Values): ControlParams<'market-request'> {
  const def = BUILT_IN_SERVICES.get(service);
  const params: Mutable<ControlParams<'market-request'>> = { service };
  if (def?.form === 'pow') {
    const difficulty = count(opt(values, 'difficulty'), '--difficulty');
    if (difficulty === undefined) throw new CliError('a pow job needs --difficulty BITS');
    params.difficulty = difficulty;
    params.data = opt(values, 'data') ?? `gpow job ${Date.now()}`;
  } else if (def?.form === 'compute') {
    if (typeof values.fn !== 'string' || typeof values.input !== 'string') {
      throw new CliError('a compute job needs --fn NAME --input HEX');
    }
    params.fn = values.fn;
    params.input = values.input;
  } else {
    params.fields = Object.fromEntries(
      ((values.field as string[] | undefined) ?? []).map((pair) => {
        const at = pair.indexOf('=');
        if (at < 1) throw new CliError(`--field takes NAME=VALUE, got "${pair}"`);
        return [pair.slice(0, at), pair.slice(at + 1)];
      }),
    );
    params.volume = String(amountOf(opt(values, 'volume') ?? ''));
  }
  for (const [option, key] of [
    ['max-rate', 'maxRate'],
    ['fee', 'fee'],
  ] as const) {
    const given = opt(values, option);
    if (given !== undefined) params[key] = String(amountOf(given));
  }
  if (values['min-reputation'] !== undefined)
    params.minReputation = count(values['min-reputation'] as string, '--min-reputation');
  if (values.validators !== undefined)
    params.validators = count(values.validators as string, '--validators');
  if (values.exclude) params.exclude = (values.exclude as string[]).map((a) => keyOf(a));
  const provider = opt(values, 'provider');
  if (provider !== undefined) params.provider = keyOf(provider);
  const within = opt(values, 'within');
  if (within !== undefined) {
    const parts = within.split(',').map((p) => count(p, '--within') ?? 0);
    const [accept, deliver, review, evaluate] = parts;
    if (
      parts.length !== 4 ||
      accept === undefined ||
      deliver === undefined ||
      review === undefined ||
      evaluate === undefined
    )
      throw new CliError('--within takes four numbers of seconds: accept,deliver,review,evaluate');
    params.within = [accept, deliver, review, evaluate];
  }
  return params;
}

export async function marketCommand(
  home: Home,
  command: string,
  args: string[],
  out: Output,
): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...JOB_OPTIONS,
      capacity: { type: 'string' },
      rate: { type: 'string' },
      text: { type: 'string' },
      reason: { type: 'string' },
      name: { type: 'string' },
      unit: { type: 'string' },
      evaluation: { type: 'string' },
    },
  });
  const [first, second] = positionals;
  switch (command) {
    case 'service': {
      if (first === 'list') {
        const rows = await viaPeer(home, 'market-services');
        return out.print(
          rows.map((r) => `${r.id.padEnd(64)}  ${r.name} (${r.unit}, ${r.evaluation})`).join('\n'),
          rows,
        );
      }
      if (first !== 'register')
        throw new CliError('usage: gpow service register … | gpow service list');
      const fields = (values.field ?? []).map(fieldSpec);
      const r = await viaPeer(home, 'market-service-register', {
        name: opt(values, 'name'),
        unit: opt(values, 'unit'),
        evaluation: opt(values, 'evaluation'),
        fields,
      });
      return out.print(`Registered. Its id names the service:\n${r.id}`, r);
    }
    case 'offer': {
      if (!first) throw new CliError('usage: gpow offer SERVICE --capacity N --rate N');
      const capacity = values.capacity === '0' ? '0' : String(amountOf(values.capacity ?? ''));
      const r = await viaPeer(home, 'market-offer', {
        service: first,
        capacity,
        rate: String(amountOf(values.rate ?? '')),
      });
      return out.print(
        `Offered ${first}: capacity ${capacity}, rate ${values.rate}.\nTransaction: ${r.id}`,
        r,
      );
    }
    case 'bond': {
      const r = await viaPeer(home, 'market-bond', {
        amount: String(amountOf(first ?? '')),
      });
      return out.print(
        `Bonded ${first}: you can now be drawn as a validator.\nTransaction: ${r.id}`,
        r,
      );
    }
    case 'negotiate': {
      if (!first) throw new CliError('usage: gpow negotiate SERVICE JOB …');
      const r = await viaPeer(home, 'market-negotiate', requestParams(first, values));
      return out.print(describeNegotiation(r), r);
    }
    case 'request': {
      if (!first) throw new CliError('usage: gpow request SERVICE JOB …');
      const r = await viaPeer(home, 'market-request', requestParams(first, values));
      return out.print(
        `Requested from ${r.provider}; ${amountWithUnit(r.total, r.unit)} escrowed.\nRequest: ${r.id}`,
        r,
      );
    }
    case 'jobs': {
      const rows = await viaPeer(home, 'market-jobs', {});
      return out.print(
        rows.length === 0 ? 'No jobs yet.' : rows.map(describeJob).join('\n\n'),
        rows,
      );
    }
    case 'evaluate': {
      if (!first || !isVerdict(second)) {
        throw new CliError('usage: gpow evaluate REQUEST approve|dispute|pass|fail');
      }
      const r = await viaPeer(home, 'market-evaluate', {
        request: first,
        verdict: second,
      });
      return out.print(`Recorded "${second}".\nTransaction: ${r.id}`, r);
    }
    case 'deliver': {
      if (!first || typeof values.text !== 'string')
        throw new CliError('usage: gpow deliver REQUEST --text TEXT');
      const r = await viaPeer(home, 'market-deliver', {
        request: first,
        text: values.text,
      });
      return out.print(`Delivered.\nTransaction: ${r.id}`, r);
    }
    case 'decline': {
      if (!first) throw new CliError('usage: gpow decline REQUEST [--reason TEXT]');
      const r = await viaPeer(home, 'market-decline', {
        request: first,
        ...(values.reason ? { reason: values.reason } : {}),
      });
      return out.print(`Declined.\nTransaction: ${r.id}`, r);
    }
    default:
      throw new CliError(`unknown command "${command}"`);
  }
}

const VERDICTS = ['approve', 'dispute', 'pass', 'fail'] as const;
const isVerdict = (text: string | undefined): text is (typeof VERDICTS)[number] =>
  (VERDICTS as readonly (string | undefined)[]).includes(text);

/** NAME:text|number[:sensitive][:required] → [name, kind, sensitive, required]. */
function fieldSpec(text: string): [string, string, boolean, boolean] {
  const [name, kind, ...flags] = text.split(':');
  if (
    !name ||
    (kind !== 'text' && kind !== 'number') ||
    flags.some((f) => f !== 'sensitive' && f !== 'required')
  ) {
    throw new CliError(`--field takes NAME:text|number[:sensitive][:required], got "${text}"`);
  }
  return [name, kind, flags.includes('sensitive'), flags.includes('required')];
}

function describeNegotiation(r: Wire<NegotiationOut>): string {
  const lines = [
    'Provider                                                          Total    Free     Score',
  ];
  for (const row of r.ranked) {
    const mark = row.provider === r.recommended ? '  ← recommended' : '';
    lines.push(
      `${row.provider.padEnd(64)}  ${row.total.padStart(7)}  ${row.freeCapacity.padStart(7)}  ${String(row.score).padStart(5)}${mark}`,
    );
  }
  if (r.ranked.length === 0) lines.push('(no provider can take this job)');
  for (const row of r.excluded) lines.push(`excluded ${row.provider}: ${row.detail}`);
  return lines.join('\n');
}

function describeJob(row: Wire<JobRow>): string {
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

// ---- the running peer's side ------------------------------------------------------------------

export type MarketMethod = Extract<ControlMethod, `market-${string}`>;

/** A market method's work, given parameters the contract has parsed. */
export type MarketHandler<M extends MarketMethod> = (
  agent: Market,
  ledger: Ledger,
  me: KeyHex | null,
  params: ParsedParams<M>,
) => ControlResults[M] | Promise<ControlResults[M]>;

const need = <T>(value: T | undefined, what: string): T => {
  if (value === undefined) throw new CliError(`${what} is missing`);
  return value;
};

function serviceOf(ledger: Ledger, service: string): ServiceDef {
  const def = BUILT_IN_SERVICES.get(service) ?? market(ledger).services.get(service as TxId);
  if (!def) throw new CliError(`unknown service "${service}"`);
  return def;
}

function requestInput(ledger: Ledger, params: ParsedParams<'market-request'>): RequestInput {
  const { service } = params;
  const def = serviceOf(ledger, service);
  let job: Record<string, CborValue>;
  let volume: bigint;
  let sensitive: Record<string, string> | undefined;
  if (def.form === 'pow') {
    const difficulty = need(params.difficulty, 'the difficulty');
    job = { data: utf8(need(params.data, 'the data')), difficulty };
    volume = expectedHashes(difficulty);
  } else if (def.form === 'compute') {
    const input = need(params.input, 'the input');
    job = { fn: need(params.fn, 'the function'), input: fromHex(input.toLowerCase()) };
    volume = computeCost(job as { fn: string; input: Uint8Array });
  } else {
    const form = normaliseFields(def, params.fields ?? {});
    if ('error' in form) throw new CliError(form.error);
    job = { fields: form.public };
    sensitive = form.sensitive;
    volume = BigInt(need(params.volume, 'the volume'));
  }
  return {
    service,
    job,
    volume,
    ...(sensitive ? { sensitive } : {}),
    ...(params.provider ? { provider: params.provider as KeyHex } : {}),
    ...(params.maxRate ? { maxRate: BigInt(params.maxRate) } : {}),
    ...(params.minReputation !== undefined ? { minReputation: params.minReputation } : {}),
    ...(params.exclude ? { exclude: params.exclude as KeyHex[] } : {}),
    ...(params.validators !== undefined ? { validators: params.validators } : {}),
    ...(params.fee ? { fee: BigInt(params.fee) } : {}),
    ...(params.within ? { within: params.within } : {}),
  };
}

function jobRow(agent: Market, ledger: Ledger, me: KeyHex | null, view: InstanceView): JobRow {
  const { request, decision } = view;
  const role =
    request.consumer === me ? 'consumer' : request.provider === me ? 'provider' : 'validator';
  const job = request.body.job;
  const secret = agent.privateParts(view);
  return {
    id: request.id,
    service: request.service.id.length === 64 ? request.service.name : request.service.id,
    role,
    state: decision.state === 'decided' ? decision.outcome : `open (${decision.stage})`,
    ...(decision.state === 'open' ? { waiting: decision.waiting } : {}),
    consumer: address(request.consumer),
    provider: address(request.provider),
    price: String(request.price),
    escrow: String(ledger.escrow(request.id)),
    unit: ledger.unit,
    committee: view.committee.map((k) => address(k)),
    settled: view.settled !== undefined,
    ...('fields' in job ? { fields: job.fields } : {}),
    ...secret,
    ...(me !== null && view.committee.includes(me) ? evidenceRow(agent.evidence(view)) : {}),
  };
}

/** A drawn validator's reading of a dispute, for `gpow jobs` (nothing when there is none). */
function evidenceRow(reading: ReturnType<Market['evidence']>): Pick<JobRow, 'evidence'> {
  if (!reading.ok) {
    return reading.gap === 'no-dispute'
      ? {}
      : { evidence: { unreadable: EVIDENCE_GAP_SENTENCES[reading.gap] } };
  }
  const details = evidenceDetails(reading.details);
  return {
    evidence: {
      text: new TextDecoder().decode(reading.result),
      matches: reading.matches,
      ...(details ? { details } : {}),
    },
  };
}

/** The market methods of the running peer's control socket (see node/cli/peerControl.ts). */
export const MARKET_HANDLERS: { readonly [M in MarketMethod]: MarketHandler<M> } = {
  'market-offer': async (agent, _ledger, _me, p) => ({
    id: (await agent.offer(p.service, BigInt(p.capacity), BigInt(p.rate))).id,
  }),
  'market-service-register': async (agent, _ledger, _me, p) => {
    const parsed = v.safeParse(serviceSchema, {
      name: p.name,
      unit: p.unit,
      fields: p.fields,
      negotiation: 'lowest-total',
      evaluation: p.evaluation,
      compensation: 'rate-times-volume',
    });
    if (!parsed.success)
      throw new CliError(`the service is not valid: ${describeIssues(parsed.issues)}`);
    const body = { ...parsed.output, fields: parsed.output.fields.map((f) => [...f]) };
    return { id: (await agent.registerService(body)).id };
  },
  'market-services': (_agent, ledger) =>
    [...BUILT_IN_SERVICES.values(), ...market(ledger).services.values()].map((d) => ({
      id: d.id,
      name: d.name,
      unit: d.unit,
      evaluation: d.evaluation,
    })),
  'market-bond': async (agent, _ledger, _me, p) => ({
    id: (await agent.bond(BigInt(p.amount))).id,
  }),
  'market-negotiate': (agent, ledger, _me, p) => {
    const result = agent.negotiate(requestInput(ledger, p));
    const rep = (key: KeyHex) => reputationOf(ledger, key);
    return {
      ranked: result.ranked.map((r) => ({
        ...r,
        provider: address(r.provider),
        reputation: rep(r.provider),
      })),
      excluded: result.excluded.map((e) => ({ ...e, provider: address(e.provider) })),
      recommended: result.recommended ? address(result.recommended) : null,
    };
  },
  'market-request': async (agent, ledger, _me, p) => {
    const r = await agent.request(requestInput(ledger, p));
    return { id: r.id, provider: address(r.provider), total: r.escrow, unit: ledger.unit };
  },
  'market-jobs': (agent, ledger, me) => agent.jobs().map((view) => jobRow(agent, ledger, me, view)),
  'market-evaluate': async (agent, _ledger, _me, p) => ({
    id: (await agent.evaluate(p.request as TxId, p.verdict)).id,
  }),
  'market-deliver': async (agent, _ledger, _me, p) => ({
    id: (await agent.deliverText(p.request as TxId, p.text)).id,
  }),
  'market-decline': async (agent, _ledger, _me, p) => ({
    id: (await agent.decline(p.request as TxId, p.reason)).id,
  }),
};

export const MARKET_COMMANDS = [
  'service',
  'offer',
  'bond',
  'negotiate',
  'request',
  'jobs',
  'evaluate',
  'deliver',
  'decline',
];
