// The headless peer's DNEC automation and the life-cycle actions behind the CLI. It watches the
// ledger and does this identity's part in every instance it takes part in:
// - as provider (for the services it provides): accept within capacity and rate, do the work in
//   worker threads (pow, compute), deliver; decline what it cannot take;
// - as consumer: reveal the selection secret once the provider accepted;
// - as validator (when validating): check deliveries and give verdicts (pow, compute);
// - always: settle the outcomes this identity is the settler of.
// The consumer's reveal secrets are kept in the data directory, so a restart can still reveal.
import { randomBytes } from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import { fromHex, toHex, utf8 } from '../../shared/bytes.ts';
import type { CborValue } from '../../shared/codec/cbor.ts';
import type { RequestBody } from '../../shared/dnec/bodies.ts';
import { checkComputeResult } from '../../shared/dnec/compute.ts';
import { affordable, negotiate, type NegotiationResult } from '../../shared/dnec/negotiation.ts';
import {
  eligibleBonds,
  instancesOf,
  instanceView,
  market,
  offersFor,
  type InstanceView,
} from '../../shared/dnec/queries.ts';
import { commitmentOf } from '../../shared/dnec/selection.ts';
import { BUILT_IN_SERVICES } from '../../shared/dnec/services.ts';
import type { KeyHex, TxId } from '../../shared/ids.ts';
import type { Ledger } from '../../shared/ledger/ledger.ts';
import type { VerifiedTx } from '../../shared/tx/registry.ts';
import { composeAction, composeSettle, composeVerdict } from '../../shared/wallet/dnecCompose.ts';
import { runComputeInWorker } from '../dnec/computeRunner.ts';
import { solvePow } from '../dnec/powSolver.ts';
import { errorMessage } from '../storage/fsHelpers.ts';
import { PeerError, type Peer } from './peer.ts';
import { RevealStore } from './revealStore.ts';
import {
  privatePartsOf,
  SEALED_DELIVERY,
  SEALED_REQUEST,
  type PrivateParts,
} from '../../shared/ui/market.ts';

export interface AgentOptions {
  /** Services to provide automatically (the offers themselves are on the ledger). */
  readonly provide?: readonly string[];
  /** Perform validator duties for pow and compute instances. */
  readonly validate?: boolean;
  readonly powWorkers?: number;
  readonly onEvent?: (message: string) => void;
  /** How often to look for work when nothing arrives (deadlines pass on their own). */
  readonly intervalMs?: number;
}

export interface RequestInput {
  readonly service: string;
  readonly job: Record<string, CborValue>;
  readonly volume: bigint;
  /** Without a provider, negotiation picks the recommended one. */
  readonly provider?: KeyHex;
  readonly maxRate?: bigint;
  readonly minReputation?: number;
  readonly exclude?: readonly KeyHex[];
  readonly validators?: number;
  readonly k?: number;
  readonly fee?: bigint;
  /** Seconds from now to each deadline: accept, deliver, review, evaluate. */
  readonly within?: readonly [number, number, number, number];
  /** Sensitive form fields: sealed for the provider with SSK (a key is shared first if needed). */
  readonly sensitive?: Readonly<Record<string, string>>;
}

const DEFAULT_WITHIN = [30, 120, 180, 240] as const;

/** Room for the sealing overhead within the 16 KiB sealed field of a delivery. */
const MAX_SEALED_OUTPUT = 16 * 1024 - 256;

export class MarketAgent {
  readonly #peer: Peer;
  readonly #options: AgentOptions;
  readonly #busy = new Set<string>();
  readonly #reveals: RevealStore;
  #timer: ReturnType<typeof setInterval> | null = null;
  #running: Promise<void> = Promise.resolve();
  #pending = false;
  #closed = false;

  constructor(peer: Peer, options: AgentOptions = {}) {
    this.#peer = peer;
    this.#options = options;
    this.#reveals = new RevealStore(peer.config.dataDir);
  }

  /** Starts the automation: a pass on every new transaction and on a timer. */
  async start(): Promise<void> {
    const ledger = await this.#peer.ready();
    ledger.onAccepted(() => this.#schedule());
    this.#timer = setInterval(() => this.#schedule(), this.#options.intervalMs ?? 500);
    this.#schedule();
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.#running;
  }

  #me(): KeyHex {
    if (!this.#peer.address) throw new PeerError('the market needs an unlocked identity');
    return this.#peer.address;
  }

  #say(message: string): void {
    this.#options.onEvent?.(message);
  }

  // ---- actions behind the CLI -----------------------------------------------------------

  async offer(service: string, capacity: bigint, rate: bigint): Promise<VerifiedTx> {
    return this.#submit('offer', { service, capacity, rate });
  }

  /** Registers a service type on the ledger; its transaction id names it from then on. */
  async registerService(body: Record<string, CborValue>): Promise<VerifiedTx> {
    return this.#submit('service', body);
  }

  async bond(amount: bigint): Promise<VerifiedTx> {
    return this.#submit('bond', { amount }, { debit: amount });
  }

  async negotiate(input: RequestInput): Promise<NegotiationResult> {
    const ledger = await this.#peer.ready();
    const offers = offersFor(ledger, input.service).filter((o) => o.provider !== this.#me());
    return negotiate(
      offers,
      {
        volume: input.volume,
        ...(input.maxRate === undefined ? {} : { maxRate: input.maxRate }),
        ...(input.minReputation === undefined ? {} : { minReputation: input.minReputation }),
        ...(input.exclude ? { exclude: input.exclude } : {}),
      },
      { validatorFee: input.fee ?? 0n, validators: input.validators ?? 0 },
    );
  }

  /** Negotiates (unless a provider is named), escrows and publishes a request. */
  async request(input: RequestInput): Promise<{ id: TxId; provider: KeyHex; total: bigint }> {
    const ledger = await this.#peer.ready();
    const ranking = await this.negotiate(input);
    const provider = input.provider ?? ranking.recommended;
    if (!provider) {
      const reasons = ranking.excluded.map((e) => `${e.provider.slice(0, 12)}…: ${e.detail}`);
      throw new PeerError(
        `no provider can take this request${reasons.length ? `:\n${reasons.join('\n')}` : ''}`,
      );
    }
    const offer = offersFor(ledger, input.service).find((o) => o.provider === provider);
    if (!offer) throw new PeerError('that provider has no offer for this service');
    const m = input.validators ?? 0;
    const fee = input.fee ?? 0n;
    const total = offer.rate * input.volume + BigInt(m) * fee;
    if (!affordable(ledger.spendable(this.#me()), total, ledger.creditLimit)) {
      throw new PeerError(
        `this request escrows ${total}; you can spend ${ledger.spendable(this.#me())}`,
      );
    }
    const pool = m > 0 ? eligibleBonds(ledger, [this.#me(), provider]) : [];
    const job = { ...input.job };
    if (input.sensitive && Object.keys(input.sensitive).length > 0) {
      // "If no SSK exists yet, the request brings one": share a key first, then seal.
      await this.#peer.requireSsk().ensureKey(provider, 'dnec');
      job.sealed = this.#peer
        .requireSsk()
        .sealFor(provider, SEALED_REQUEST, utf8(JSON.stringify(input.sensitive)));
    }
    const reveal = new Uint8Array(randomBytes(32));
    const commitment = commitmentOf(reveal);
    // The secret is on disk before the commitment is published: a crash cannot lose it.
    await this.#reveals.save(toHex(commitment), toHex(reveal));
    const now = Date.now();
    const within = input.within ?? DEFAULT_WITHIN;
    const body: Record<string, CborValue> = {
      service: input.service,
      provider: fromHex(provider),
      volume: input.volume,
      rate: offer.rate,
      fee,
      m,
      k: input.k ?? (m === 0 ? 0 : Math.floor(m / 2) + 1),
      pool: pool.map((id) => fromHex(id)),
      deadlines: within.map((s) => now + s * 1000),
      commitment,
      job,
    };
    const deps = [
      ...pool,
      ...(BUILT_IN_SERVICES.has(input.service) ? [] : [input.service as TxId]),
    ];
    const tx = await this.#submit('request', body, { deps, debit: total });
    return { id: tx.id, provider, total };
  }

  /** The consumer approves or disputes a delivery, or a selected validator gives its verdict. */
  async evaluate(
    requestId: TxId,
    verdict: 'approve' | 'dispute' | 'pass' | 'fail',
  ): Promise<VerifiedTx> {
    const ledger = await this.#peer.ready();
    const view = instanceView(ledger, requestId);
    if (!view) throw new PeerError('no such request on this ledger');
    if (verdict === 'approve' || verdict === 'dispute') {
      if (view.request.consumer !== this.#me())
        throw new PeerError('only the consumer reviews a delivery');
      if (!view.delivery) throw new PeerError('nothing has been delivered yet');
      return this.#submit(
        'review',
        {
          request: fromHex(requestId),
          delivery: fromHex(view.delivery),
          approve: verdict === 'approve',
        },
        { deps: [view.delivery] },
      );
    }
    const done = await this.#peer.act((l, me) =>
      composeVerdict(l, me, requestId, verdict === 'pass', Date.now()),
    );
    return done!.tx;
  }

  /**
   * Delivers a result done by hand: its content hash goes on the ledger with the text itself
   * sealed for the consumer (a key is shared first if the two have none).
   */
  async deliverText(requestId: TxId, text: string): Promise<VerifiedTx> {
    const ledger = await this.#peer.ready();
    const request = market(ledger).requests.get(requestId);
    if (!request) throw new PeerError('no such request on this ledger');
    const bytes = utf8(text);
    await this.#peer.requireSsk().ensureKey(request.consumer, 'dnec');
    const sealed = this.#peer.requireSsk().sealFor(request.consumer, SEALED_DELIVERY, bytes);
    return this.#submit(
      'deliver',
      { request: fromHex(requestId), hash: sha256(bytes), sealed },
      { deps: [requestId] },
    );
  }

  /** The sealed parts of an instance this identity may read: request details and delivery. */
  async privateParts(view: InstanceView): Promise<PrivateParts> {
    const ledger = await this.#peer.ready();
    return privatePartsOf(ledger, view, (sender, recipient, label, sealed) =>
      this.#peer.requireSsk().openSealed(sender, recipient, label, sealed),
    );
  }

  async decline(requestId: TxId, reason?: string): Promise<VerifiedTx> {
    return this.#submit(
      'decline',
      { request: fromHex(requestId), ...(reason ? { reason } : {}) },
      { deps: [requestId] },
    );
  }

  async jobs(): Promise<InstanceView[]> {
    return instancesOf(await this.#peer.ready(), this.#me());
  }

  async #submit(
    type: string,
    body: Record<string, CborValue>,
    options: { deps?: readonly TxId[]; debit?: bigint } = {},
  ): Promise<VerifiedTx> {
    const done = await this.#peer.act((ledger, me) =>
      composeAction(ledger, me, type, body, { ...options, time: Date.now() }),
    );
    return done!.tx;
  }

  // ---- automation ------------------------------------------------------------------------

  #schedule(): void {
    if (this.#closed || this.#pending) return;
    this.#pending = true;
    this.#running = this.#running.then(async () => {
      this.#pending = false;
      if (this.#closed) return;
      try {
        await this.#pass();
      } catch (error) {
        this.#say(`market: ${errorMessage(error)}`);
      }
    });
  }

  async #pass(): Promise<void> {
    if (!this.#peer.address) return;
    const ledger = await this.#peer.ready();
    for (const view of instancesOf(ledger, this.#me())) {
      if (view.settled) continue;
      await this.#step(ledger, view);
    }
  }

  async #step(ledger: Ledger, view: InstanceView): Promise<void> {
    const me = this.#me();
    const { request, decision } = view;
    if (decision.state === 'decided') {
      if (decision.settler === me)
        await this.#once(`settle:${request.id}`, () => this.#settle(request.id, decision.outcome));
      return;
    }
    if (request.consumer === me && view.accept && request.body.m > 0 && !view.reveal) {
      await this.#once(`reveal:${request.id}`, () =>
        this.#reveal(request.body, request.id, view.accept as TxId),
      );
    }
    if (request.provider === me) await this.#provide(ledger, view);
    if (this.#options.validate && view.delivery && view.committee.includes(me)) {
      if (!view.verdicts.some((v) => v.validator === me)) {
        await this.#once(`verdict:${request.id}`, () => this.#judge(view));
      }
    }
  }

  async #provide(ledger: Ledger, view: InstanceView): Promise<void> {
    const { request } = view;
    const provides = this.#options.provide?.includes(request.service.id) ?? false;
    if (!provides) return;
    const index = market(ledger);
    const responded =
      index.actions(request.id, 'accept').length + index.actions(request.id, 'decline').length > 0;
    if (!responded && Date.now() < request.body.deadlines[0]) {
      await this.#once(`respond:${request.id}`, async () => {
        try {
          await this.#submit('accept', { request: fromHex(request.id) }, { deps: [request.id] });
          this.#say(`accepted ${request.service.id} job ${request.id.slice(0, 12)}`);
        } catch (error) {
          await this.decline(request.id, errorMessage(error).slice(0, 200));
          this.#say(`declined ${request.id.slice(0, 12)}: ${errorMessage(error)}`);
        }
      });
      return;
    }
    const mine = view.accept && ledger.get(view.accept)?.author === this.#me();
    const worked =
      index.actions(request.id, 'deliver').length + index.actions(request.id, 'abandon').length > 0;
    // Only machine work runs here; hand-made work is delivered with `gpow deliver`.
    const automatic = request.service.form === 'pow' || request.service.form === 'compute';
    if (mine && automatic && !worked && Date.now() < request.body.deadlines[1]) {
      this.#background(`work:${request.id}`, () => this.#work(view));
    }
  }

  /** Pow and compute run in worker threads, off the automation's path. */
  async #work(view: InstanceView): Promise<void> {
    const { request } = view;
    const job = request.body.job;
    let result: Record<string, CborValue>;
    if ('difficulty' in job) {
      const started = Date.now();
      const solution = await solvePow(
        job,
        this.#options.powWorkers ? { workers: this.#options.powWorkers } : {},
      );
      this.#say(
        `solved pow job ${request.id.slice(0, 12)}: ${solution.hashes} hashes in ${Date.now() - started} ms`,
      );
      result = { nonce: solution.nonce };
    } else if ('fn' in job) {
      const run = await runComputeInWorker(job, {
        timeoutMs: 60_000,
        maxMemoryMb: 256,
      });
      this.#say(`computed ${job.fn} for ${request.id.slice(0, 12)} in ${run.ms} ms`);
      result = { hash: run.hash };
      // The output itself goes to the consumer sealed with SSK when it fits on the ledger.
      if (run.output.length <= MAX_SEALED_OUTPUT) {
        await this.#peer.requireSsk().ensureKey(request.consumer, 'dnec');
        result.sealed = this.#peer
          .requireSsk()
          .sealFor(request.consumer, SEALED_DELIVERY, run.output);
      }
    } else {
      return; // done by hand: `gpow deliver`
    }
    await this.#submit(
      'deliver',
      { request: fromHex(request.id), ...result },
      { deps: [request.id] },
    );
    this.#say(`delivered ${request.id.slice(0, 12)}`);
  }

  async #judge(view: InstanceView): Promise<void> {
    const ledger = await this.#peer.ready();
    const delivery = ledger.get(view.delivery as TxId) as
      { body: { hash?: Uint8Array } } | undefined;
    const job = view.request.body.job;
    let pass: boolean;
    if ('difficulty' in job)
      pass = true; // the ledger checked the nonce when it accepted the delivery
    else if ('fn' in job && delivery?.body.hash) pass = checkComputeResult(job, delivery.body.hash);
    else return; // human judgement: `gpow evaluate`
    const done = await this.#peer.act((l, me) =>
      composeVerdict(l, me, view.request.id, pass, Date.now()),
    );
    if (done) this.#say(`verdict ${pass ? 'pass' : 'fail'} on ${view.request.id.slice(0, 12)}`);
  }

  async #settle(requestId: TxId, outcome: string): Promise<void> {
    await this.#peer.act((ledger, me) => composeSettle(ledger, me, requestId, Date.now()));
    this.#say(`settled ${requestId.slice(0, 12)}: ${outcome}`);
  }

  async #reveal(body: RequestBody, requestId: TxId, accept: TxId): Promise<void> {
    const reveal = (await this.#reveals.load())[toHex(body.commitment)];
    if (!reveal)
      return this.#say(`the secret for request ${requestId.slice(0, 12)} is not on this device`);
    await this.#submit(
      'reveal',
      { request: fromHex(requestId), accept: fromHex(accept), reveal: fromHex(reveal) },
      { deps: [accept] },
    );
  }

  /** Runs an action once at a time per key; a failure is reported and retried on a later pass. */
  async #once(key: string, action: () => Promise<void>): Promise<void> {
    if (this.#busy.has(key)) return;
    this.#busy.add(key);
    try {
      await action();
    } catch (error) {
      this.#say(`${key.split(':')[0] ?? 'market'}: ${errorMessage(error)}`);
    } finally {
      this.#busy.delete(key);
    }
  }

  #background(key: string, action: () => Promise<void>): void {
    if (this.#busy.has(key)) return;
    this.#busy.add(key);
    void action()
      .catch((error: unknown) =>
        this.#say(`${key.split(':')[0] ?? 'market'}: ${errorMessage(error)}`),
      )
      .finally(() => {
        this.#busy.delete(key);
        // A macrotask, so a quick action can never starve the event loop with passes.
        setTimeout(() => this.#schedule(), 0);
      });
  }
}
