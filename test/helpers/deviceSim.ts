// A seeded simulation of one identity (alice) using her own chain and up to three devices while
// the network is split into views. Each of her chains lives on one machine, in one view, as a
// person's devices do; she pays, tops devices up and revokes them; a stolen device may go on
// signing after its revocation. Witnesses behave as in sim.ts: honest ones vote in their home
// view only, Byzantine ones in every view.
import fc from 'fast-check';
import type { KeyHex } from '../../shared/ids.ts';
import { Ledger } from '../../shared/ledger/ledger.ts';
import type { VerifiedTx } from '../../shared/tx/registry.ts';
import { claimDeps, composeTransfer, composeVote } from '../../shared/wallet/compose.ts';
import { fromHex } from '../../shared/bytes.ts';
import { deviceTx, revokeTx } from './devices.ts';
import { genesisOf, identity, registry, sign, type TestIdentity } from './network.ts';

export interface DeviceSimConfig {
  readonly devices: number;
  readonly witnesses: number;
  readonly byzantine: number;
  readonly views: number;
  readonly creditLimit: bigint;
}

/** actor 0 is alice's own chain, 1.. her devices; `to` -1 is bob, 0.. alice's chains. */
export type DeviceAction =
  | { readonly kind: 'pay'; readonly actor: number; readonly to: number; readonly amount: bigint }
  | { readonly kind: 'bob-pays'; readonly to: number; readonly amount: bigint }
  | { readonly kind: 'revoke'; readonly device: number }
  | { readonly kind: 'steal'; readonly device: number; readonly amount: bigint }
  | { readonly kind: 'vote'; readonly view: number; readonly witness: number }
  | { readonly kind: 'sync'; readonly from: number; readonly to: number };

export const deviceActionArb = (c: DeviceSimConfig): fc.Arbitrary<DeviceAction> => {
  const amount = fc.bigInt(1n, 200n);
  return fc.oneof(
    {
      weight: 5,
      arbitrary: fc.record({
        kind: fc.constant('pay' as const),
        actor: fc.nat(c.devices),
        to: fc.integer({ min: -1, max: c.devices }),
        amount,
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('bob-pays' as const),
        to: fc.nat(c.devices),
        amount,
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('revoke' as const),
        device: fc.integer({ min: 1, max: c.devices }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('steal' as const),
        device: fc.integer({ min: 1, max: c.devices }),
        amount,
      }),
    },
    {
      weight: 5,
      arbitrary: fc.record({
        kind: fc.constant('vote' as const),
        view: fc.nat(c.views - 1),
        witness: fc.nat(c.witnesses - 1),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('sync' as const),
        from: fc.nat(c.views - 1),
        to: fc.nat(c.views - 1),
      }),
    },
  );
};

export class DeviceSim {
  readonly config: DeviceSimConfig;
  readonly alice = identity('sim alice');
  readonly bob = identity('sim bob');
  /** alice's chains: her own, then her devices. */
  readonly chains: TestIdentity[];
  readonly witnesses: TestIdentity[];
  readonly views: Ledger[] = [];
  readonly signed: VerifiedTx[] = [];
  /** Transfers by alice's chains, as she saw them sent. */
  readonly payments: VerifiedTx[] = [];
  genesis!: VerifiedTx;
  #revocations = 0;

  private constructor(config: DeviceSimConfig) {
    this.config = config;
    this.chains = [
      this.alice,
      ...Array.from({ length: config.devices }, (_, i) => identity(`sim device ${i + 1}`)),
    ];
    this.witnesses = Array.from({ length: config.witnesses }, (_, i) =>
      identity(`sim witness ${i}`),
    );
  }

  /** A network where alice's devices are certified, topped up and final in every view. */
  static async create(config: DeviceSimConfig): Promise<DeviceSim> {
    const sim = new DeviceSim(config);
    sim.genesis = await genesisOf({
      founder: identity('sim founder'),
      witnesses: sim.witnesses,
      allocations: [
        [sim.alice, 900n],
        [sim.bob, 300n],
      ],
      creditLimit: config.creditLimit,
    });
    for (let i = 0; i < config.views; i++) sim.views.push(sim.fresh());
    const home = sim.views[0] as Ledger;
    for (const device of sim.chains.slice(1)) {
      sim.#record(0, await deviceTx(home, sim.alice, device, { allowance: 150n }));
      const topUp = composeTransfer(home, {
        from: sim.alice.key,
        to: device.key,
        amount: 150n,
        time: 1,
      });
      if (topUp.ok) sim.#record(0, await sign(sim.alice, topUp.tx));
    }
    for (let round = 0; round < 3; round++)
      for (let w = 0; w < config.witnesses; w++) await sim.#honestVote(0, w);
    sim.healAll();
    return sim;
  }

  fresh(): Ledger {
    const result = Ledger.fromGenesis(this.genesis, registry);
    if (!result.ok) throw new Error(result.rejection.message);
    return result.ledger;
  }

  /** Each of alice's chains lives on one machine: one view. */
  viewOf(chain: number): number {
    return chain % this.config.views;
  }

  homeView(witness: number): number {
    return witness % this.config.views;
  }

  keyOf(to: number): KeyHex {
    return to < 0 ? this.bob.key : (this.chains[to] as TestIdentity).key;
  }

  async run(actions: readonly DeviceAction[]): Promise<void> {
    for (const action of actions) await this.step(action);
  }

  async step(action: DeviceAction): Promise<void> {
    switch (action.kind) {
      case 'pay':
        return this.#pay(action.actor, this.keyOf(action.to), action.amount);
      case 'bob-pays':
        return this.#bobPays(this.keyOf(action.to), action.amount);
      case 'revoke':
        return this.#revoke(action.device);
      case 'steal':
        return this.#steal(action.device, action.amount);
      case 'vote':
        return this.vote(action.view, action.witness);
      case 'sync':
        return this.sync(action.from, action.to);
    }
  }

  async #pay(actor: number, to: KeyHex, amount: bigint): Promise<void> {
    const chain = this.chains[actor] as TestIdentity;
    if (to === chain.key) return;
    const view = this.viewOf(actor);
    const composed = composeTransfer(this.views[view] as Ledger, {
      from: chain.key,
      to,
      amount,
      time: 1,
    });
    if (!composed.ok) return;
    const tx = await sign(chain, composed.tx);
    this.payments.push(tx);
    this.#record(view, tx);
  }

  async #bobPays(to: KeyHex, amount: bigint): Promise<void> {
    const composed = composeTransfer(this.views[0] as Ledger, {
      from: this.bob.key,
      to,
      amount,
      time: 1,
    });
    if (composed.ok) this.#record(0, await sign(this.bob, composed.tx));
  }

  /** Alice, on her own chain's machine, revokes a device she thinks is lost, back to herself. */
  async #revoke(device: number): Promise<void> {
    const view = this.viewOf(0);
    const ledger = this.views[view] as Ledger;
    const target = (this.chains[device] as TestIdentity).key;
    const author = identity(`sim revocation ${this.#revocations++}`);
    try {
      const tx = await revokeTx(ledger, {
        account: this.alice,
        target,
        to: this.alice.key,
        by: this.alice,
        author,
      });
      this.#record(view, tx);
    } catch {
      // Refused with a sentence (already revoked, head not final yet): nothing is signed.
    }
  }

  /** A revoked device in a thief's hands signs on regardless, on its own machine. */
  async #steal(device: number, amount: bigint): Promise<void> {
    const chain = this.chains[device] as TestIdentity;
    const view = this.viewOf(device);
    const ledger = this.views[view] as Ledger;
    if (ledger.revocationsOf(chain.key).length === 0) return;
    const head = ledger.head(chain.key);
    if (!head) return;
    const { deps } = claimDeps(ledger, chain.key, 64, head.id);
    const tx = await sign(chain, {
      net: ledger.networkId,
      seq: head.seq + 1,
      prev: head.id,
      deps: [...deps],
      type: 'transfer',
      body: { to: fromHex(this.bob.key), amount },
      time: 1,
    });
    this.#record(view, tx);
  }

  async vote(view: number, index: number): Promise<void> {
    if (index < this.config.byzantine) return this.#byzantineVote(view, index);
    if (view === this.homeView(index)) await this.#honestVote(view, index);
  }

  async #honestVote(view: number, index: number): Promise<void> {
    const witness = this.witnesses[index] as TestIdentity;
    const composed = composeVote(this.views[view] as Ledger, witness.key, 1);
    if (composed?.ok) this.#record(view, await sign(witness, composed.tx));
  }

  /** A Byzantine witness votes everything it may in every view, forking its own chain. */
  async #byzantineVote(view: number, index: number): Promise<void> {
    const witness = this.witnesses[index] as TestIdentity;
    const ledger = this.views[view] as Ledger;
    const composed = composeVote(ledger, witness.key, 1);
    if (composed?.ok) this.#record(view, await sign(witness, composed.tx));
  }

  #record(view: number, tx: VerifiedTx): void {
    this.signed.push(tx);
    (this.views[view] as Ledger).insert(tx);
  }

  sync(from: number, to: number): void {
    if (from === to) return;
    const source = this.views[from] as Ledger;
    for (const tx of this.signed) if (source.has(tx.id)) (this.views[to] as Ledger).insert(tx);
  }

  healAll(): void {
    for (const view of this.views) for (const tx of this.signed) view.insert(tx);
  }

  /** Heals, then lets every witness vote in its home view until nothing is left to vote for. */
  async settle(): Promise<void> {
    this.healAll();
    for (let round = 0; round < 4; round++) {
      for (let w = 0; w < this.config.witnesses; w++) await this.#honestVote(this.homeView(w), w);
      this.healAll();
    }
  }

  replay(order: readonly VerifiedTx[]): Ledger {
    const ledger = this.fresh();
    for (const tx of order) ledger.insert(tx);
    return ledger;
  }
}
