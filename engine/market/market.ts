// The DNEC service market, once for every platform: the CLI's `gpow run` and the app. It is
// the actions (actions.ts) plus this identity's part in every instance it takes part in:
// - always: reveal the consumer's selection secret once the provider accepted, and settle every
//   outcome this identity is the settler of;
// - as provider, for the services switched on: accept what the ledger allows (decline the rest
//   with its reason), do pow and compute work through the work port with progress, deliver;
// - as validator, when switched on: judge pow and compute deliveries when selected.
// What is owed comes from stepsFor (shared/wallet/market.ts), the same list the screens show.
// Effects only through the engine and the ports (ports.ts).
import { fromHex } from '../../shared/bytes.ts';
import type { CborValue } from '../../shared/codec/cbor.ts';
import { checkComputeResult } from '../../shared/dnec/compute.ts';
import { instancesOf, type InstanceView } from '../../shared/dnec/queries.ts';
import type { TxId } from '../../shared/ids.ts';
import { SEALED_DELIVERY, stepsFor, type MarketStep } from '../../shared/wallet/market.ts';
import { EngineError, messageOf } from '../events.ts';
import type { Cancel } from '../ports.ts';
import { BUDGET_RETRY_MS } from '../timing.ts';
import { MarketActions } from './actions.ts';
import type {
  Automation,
  MarketAction,
  MarketEngine,
  MarketEvent,
  MarketOptions,
  MarketPorts,
  WorkProgress,
} from './ports.ts';

export type * from './ports.ts';

/** Room for the sealing overhead within a delivery's 16 KiB sealed field. */
const MAX_SEALED_OUTPUT = 16 * 1024 - 256;
/** How often the automation looks again when nothing arrives. */
const PASS_INTERVAL_MS = 1_000;

export class Market extends MarketActions {
  readonly #options: MarketOptions;
  #automation: Automation;
  readonly #busy = new Set<string>();
  /** The last failure reported per action, so a retry that fails alike is not reported again. */
  readonly #reported = new Map<string, string>();
  readonly #work = new Map<TxId, WorkProgress>();
  readonly #stops: Cancel[] = [];
  #running: Promise<void> = Promise.resolve();
  #pending = false;
  #started = false;
  #closed = false;

  constructor(engine: MarketEngine, ports: MarketPorts, options: MarketOptions = {}) {
    super(engine, ports);
    this.#options = options;
    this.#automation = options.automation ?? { provide: [], validate: false };
  }

  /**
   * Starts the automation once the ledger is known: a pass on every new transaction and on a
   * timer. Nothing runs without an identity (there is nothing this market could sign).
   */
  async start(): Promise<void> {
    if (this.#started || this.engine.address === null) return;
    this.#started = true;
    const ledger = await this.engine.ready();
    if (this.#closed) return;
    this.#stops.push(ledger.onAccepted(() => this.#schedule()));
    this.#stops.push(
      this.ports.timers.every(this.#options.intervalMs ?? PASS_INTERVAL_MS, () => this.#schedule()),
    );
    this.#schedule();
  }

  get automation(): Automation {
    return this.#automation;
  }

  setAutomation(automation: Automation): void {
    this.#automation = automation;
    this.#schedule();
  }

  /** Machine work under way, by request. */
  work(): ReadonlyMap<TxId, WorkProgress> {
    return this.#work;
  }

  /** Stops the automation; resolves once the pass under way is done. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const stop of this.#stops.splice(0)) stop();
    await this.#running;
  }

  #schedule(): void {
    if (!this.#started || this.#closed || this.#pending) return;
    this.#pending = true;
    this.#running = this.#running.then(async () => {
      this.#pending = false;
      if (this.#closed) return;
      // A pass that throws is reported and the next one runs (the CLI agent's guard): the
      // browser runtime let it reject the chain, which stopped every later pass.
      try {
        await this.#pass();
      } catch (error) {
        this.#options.onWarning?.(`market: ${messageOf(error)}`);
      }
    });
  }

  async #pass(): Promise<void> {
    const me = this.engine.address;
    const ledger = this.engine.ledger;
    if (!me || !ledger) return;
    const now = this.ports.clock.now();
    for (const view of instancesOf(ledger, me)) {
      for (const step of stepsFor(ledger, view, me, now)) await this.#take(view, step);
    }
  }

  async #take(view: InstanceView, step: MarketStep): Promise<void> {
    const request = view.request.id;
    const service = view.request.service;
    const machine = service.form === 'pow' || service.form === 'compute';
    switch (step.kind) {
      case 'settle':
        return this.#once('settle', request, async () => {
          await this.settle(request);
          this.#emit({ kind: 'settled', request, outcome: step.outcome });
        });
      case 'reveal':
        return this.#once('reveal', request, async () => {
          await this.reveal(request);
          this.#emit({ kind: 'revealed', request });
        });
      case 'respond':
        if (!this.#automation.provide.includes(service.id)) return;
        return this.#once('respond', request, async () => {
          try {
            await this.accept(request);
            this.#emit({ kind: 'accepted', request });
          } catch (error) {
            // Our own budget is spent (§15): a later pass accepts, once it has refilled.
            if (overBudget(error)) throw error;
            // What the ledger would refuse (capacity, rate) is declined with its reason.
            await this.decline(request, messageOf(error));
            this.#emit({ kind: 'declined', request });
          }
        });
      case 'work':
        // Only machine work runs here; hand-made work is delivered with deliverText.
        if (!machine || !this.#automation.provide.includes(service.id)) return;
        this.#background('work', request, () => this.#doWork(view));
        return;
      case 'verdict':
        if (!machine || !this.#automation.validate) return;
        return this.#once('verdict', request, () => this.#judge(view));
      case 'review':
        return; // a person approves or disputes
    }
  }

  async #doWork(view: InstanceView): Promise<void> {
    const { request } = view;
    const job = request.body.job;
    const expected = Number(request.body.volume);
    const started = this.ports.clock.now();
    let result: Record<string, CborValue>;
    let detail: string;
    if ('difficulty' in job) {
      let tried = 0;
      this.#progress({ request: request.id, kind: 'pow', done: 0, expected });
      const nonce = await this.ports.work.pow(job, (done) => {
        tried = done;
        this.#progress({ request: request.id, kind: 'pow', done, expected });
      });
      result = { nonce };
      detail = `solved pow: ${tried} hashes in ${this.ports.clock.now() - started} ms`;
    } else if ('fn' in job) {
      this.#progress({ request: request.id, kind: 'compute', done: 0, expected });
      const run = await this.ports.work.compute(job);
      result = { hash: run.hash };
      detail = `computed ${job.fn} in ${this.ports.clock.now() - started} ms`;
      // The output goes to the consumer sealed with SSK when it fits and a key can be had.
      // Without SSK here the hash alone is delivered in time (the browser's way; the CLI
      // agent failed the whole delivery, which ended in a late or abandoned job).
      const ssk = this.engine.ssk;
      if (run.output.length <= MAX_SEALED_OUTPUT && ssk?.canOpen) {
        await ssk.ensureKey(request.consumer, 'dnec');
        result.sealed = ssk.sealFor(request.consumer, SEALED_DELIVERY, run.output);
      }
    } else {
      return;
    }
    try {
      await this.submit(
        'deliver',
        { request: fromHex(request.id), ...result },
        { deps: [request.id] },
      );
      this.#emit({ kind: 'delivered', request: request.id, detail });
    } finally {
      this.#work.delete(request.id);
      this.#options.onChange?.();
    }
  }

  #progress(progress: WorkProgress): void {
    this.#work.set(progress.request, progress);
    this.#options.onChange?.();
  }

  async #judge(view: InstanceView): Promise<void> {
    const delivery = view.delivery ? this.engine.ledger?.get(view.delivery) : undefined;
    const job = view.request.body.job;
    const hash = (delivery?.body as { hash?: Uint8Array } | undefined)?.hash;
    let pass: boolean;
    // The ledger checked a pow nonce when it took the delivery in.
    if ('difficulty' in job) pass = true;
    else if ('fn' in job && hash) pass = checkComputeResult(job, hash);
    else return; // human judgement
    await this.verdict(view.request.id, pass);
    this.#emit({ kind: 'verdict', request: view.request.id, pass });
  }

  /** One action per key at a time; a failure is reported and tried again on a later pass. */
  async #once(action: MarketAction, request: TxId, run: () => Promise<void>): Promise<void> {
    const key = `${action}:${request}`;
    if (this.#busy.has(key)) return;
    this.#busy.add(key);
    try {
      await run();
      this.#reported.delete(key);
    } catch (error) {
      this.#fail(key, request, action, error);
      if (overBudget(error)) this.ports.timers.after(BUDGET_RETRY_MS, () => this.#schedule());
    } finally {
      this.#busy.delete(key);
    }
  }

  /** Long work runs beside the passes, which go on meanwhile. */
  #background(action: MarketAction, request: TxId, run: () => Promise<void>): void {
    const key = `${action}:${request}`;
    if (this.#busy.has(key)) return;
    this.#busy.add(key);
    void run()
      .then(() => this.#reported.delete(key))
      .catch((error: unknown) => {
        this.#work.delete(request);
        this.#fail(key, request, action, error);
      })
      .finally(() => {
        this.#busy.delete(key);
        // On a timer, not at once (the CLI agent's way): a quick action can never starve the
        // event loop with passes.
        this.ports.timers.after(0, () => this.#schedule());
      });
  }

  /**
   * Reports a failure once: a later pass that fails the same way says nothing new (the
   * browser's way; the CLI agent repeated it on every pass).
   */
  #fail(key: string, request: TxId, action: MarketAction, error: unknown): void {
    const message = messageOf(error);
    if (this.#reported.get(key) === message) return;
    this.#reported.set(key, message);
    this.#emit({ kind: 'failed', request, action, message });
  }

  #emit(event: MarketEvent): void {
    this.#options.onEvent?.(event);
    this.#options.onChange?.();
  }
}

/** One line for a log: what the CLI prints of an event. */
export function describeMarketEvent(event: MarketEvent): string {
  const id = event.request.slice(0, 12);
  switch (event.kind) {
    case 'accepted':
      return `accepted job ${id}`;
    case 'declined':
      return `declined ${id}`;
    case 'revealed':
      return `revealed the secret of ${id}`;
    case 'delivered':
      return `delivered ${id}${event.detail ? ` (${event.detail})` : ''}`;
    case 'settled':
      return `settled ${id}: ${event.outcome}`;
    case 'verdict':
      return `verdict ${event.pass ? 'pass' : 'fail'} on ${id}`;
    case 'failed':
      return `${event.action} ${id}: ${event.message}`;
  }
}

/** Whether an action failed only because this identity's writing budget is spent for now. */
const overBudget = (error: unknown): boolean =>
  error instanceof EngineError && error.rejection?.code === 'over-budget';
