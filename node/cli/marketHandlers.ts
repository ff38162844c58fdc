// The market methods of the running peer's control socket (see node/cli/peerControl.ts): the
// peer's side of `gpow offer|bond|negotiate|request|jobs|…`. Its market (engine/market/market.ts)
// composes, signs and publishes; answers that hold money name the network's unit beside it.
import * as v from 'valibot';
import { fromHex, utf8 } from '../../shared/bytes.ts';
import type { CborValue } from '../../shared/codec/cbor.ts';
import type {
  ControlMethod,
  ControlResults,
  JobRow,
  ParsedParams,
} from '../../shared/control/contract.ts';
import { serviceSchema } from '../../shared/dnec/bodies.ts';
import { computeCost } from '../../shared/dnec/compute.ts';
import { EVIDENCE_GAP_SENTENCES, evidenceDetails } from '../../shared/dnec/evidence.ts';
import { expectedHashes } from '../../shared/dnec/pow.ts';
import { market, reputationOf, type InstanceView } from '../../shared/dnec/queries.ts';
import { BUILT_IN_SERVICES, normaliseFields, type ServiceDef } from '../../shared/dnec/services.ts';
import type { KeyHex, TxId } from '../../shared/ids.ts';
import type { Ledger } from '../../shared/ledger/ledger.ts';
import { describeIssues } from '../../shared/tx/schema.ts';
import type { Market, RequestInput } from '../../engine/market/market.ts';
import { CliError } from './home.ts';
import { address } from './output.ts';

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
  'market-offer': async (agent, ledger, _me, p) => ({
    id: (await agent.offer(p.service, BigInt(p.capacity), BigInt(p.rate))).id,
    unit: ledger.unit,
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
  'market-bond': async (agent, ledger, _me, p) => ({
    id: (await agent.bond(BigInt(p.amount))).id,
    unit: ledger.unit,
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
      unit: ledger.unit,
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
