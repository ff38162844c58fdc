// The market (engine/market/market.ts) on the browser's ports, on one shared ledger: a
// consumer's and a provider's (and a validator's) wallets, each a Market signing as its own
// identity, with the witnesses voting by hand. Covers negotiation, the reveal secret saved before the request goes out,
// the provider automation (accept, pow on the inline runner, deliver), auto-reveal, automatic
// verdicts and auto-settle, and the timeline and earnings views.
import { describe, expect, it } from 'vitest';
import { utf8 } from '../../shared/bytes.ts';
import { instanceView } from '../../shared/dnec/queries.ts';
import type { KeyHex, TxId } from '../../shared/ids.ts';
import type { Ledger } from '../../shared/ledger/ledger.ts';
import { signTx } from '../../shared/tx/envelope.ts';
import {
  earningsOf,
  loadOf,
  MACHINE_WITHIN,
  stepsFor,
  timelineOf,
} from '../../shared/wallet/market.ts';
import { instancesOf } from '../../shared/dnec/queries.ts';
import {
  Market as EngineMarket,
  type Automation,
  type MarketEngine,
  type MarketEvent,
} from '../../engine/market/market.ts';
import { metaReveals } from '../../renderer/platform/metaReveals.ts';
import { SskSession, type SskHost } from '../../engine/ssk.ts';
import { nodeTimers } from '../../node/platform/nodeTimers.ts';
import { openKey } from '../../shared/ssk/box.ts';
import { servicesOf } from '../../shared/wallet/market.ts';
import { NO_WEBRTC } from './fixtures.ts';
import { inlineRunner } from '../../renderer/runtime/work.ts';
import { historyOf } from '../../renderer/runtime/views.ts';
import { admit } from '../helpers/network.ts';
import { newMarket, type Market } from '../helpers/market.ts';
import { deterministicRandom } from '../helpers/deterministicRandom.ts';

const T0 = 1_000_000;

interface Wallet {
  readonly runtime: EngineMarket;
  readonly key: KeyHex;
  readonly meta: Map<string, Uint8Array>;
  readonly log: string[];
  readonly events: MarketEvent[];
  readonly ssk: SskSession | null;
}

function wallet(
  market: Market,
  name: string,
  automation: Automation,
  clock: { now: number },
  options: { ssk?: boolean } = {},
): Wallet {
  const who = market.who(name);
  const meta = new Map<string, Uint8Array>();
  const log: string[] = [];
  const events: MarketEvent[] = [];
  const authored: SskHost['act'] = async (compose) => {
    const composed = compose(market.ledger, who.key);
    if (composed === null) return null;
    if (!composed.ok) throw new Error(composed.rejection.message);
    log.push(`tx ${composed.tx.type}`);
    const tx = await admit(signTx(who.secret, composed.tx));
    const outcome = market.ledger.insert(tx);
    if (outcome.status === 'rejected') throw new Error(outcome.rejection.message);
    return { composed, tx };
  };
  const random = deterministicRandom(name);
  const ssk = options.ssk
    ? new SskSession({
        ledger: market.ledger,
        me: who.key,
        // A signer that opens key boxes, as SskOpener describes.
        opener: { openSskBox: (box, ctx) => openKey(box, who.secret, ctx) },
        clock: { now: () => clock.now },
        random,
        timers: nodeTimers,
        wrtc: NO_WEBRTC,
        channels: false,
        relays: () => [],
        iceServers: () => [],
        act: authored,
        onChange: () => undefined,
      })
    : null;
  const engine: MarketEngine = {
    address: who.key,
    ledger: market.ledger,
    ready: () => Promise.resolve(market.ledger),
    ssk,
    act: authored,
  };
  const runtime = new EngineMarket(
    engine,
    {
      clock: { now: () => clock.now },
      random,
      timers: nodeTimers,
      work: inlineRunner,
      reveals: metaReveals({
        putMeta: (key, value) => {
          log.push(`meta ${key}`);
          meta.set(key, value);
          return Promise.resolve();
        },
        getMeta: (key) => Promise.resolve(meta.get(key)),
      }),
    },
    { automation, onChange: () => undefined, onEvent: (event) => events.push(event) },
  );
  void runtime.start();
  return { runtime, key: who.key, meta, log, events, ssk };
}

async function until(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const outcomeOf = (ledger: Ledger, id: TxId) => instanceView(ledger, id)?.settled?.outcome;

describe('the browser market runtime', () => {
  it('negotiates, escrows, and lets the automation accept, solve, deliver and settle', async () => {
    const market = await newMarket([
      ['consumer', 1000n],
      ['provider', 0n],
      ['pricey', 0n],
    ]);
    const clock = { now: T0 };
    const consumer = wallet(market, 'consumer', { provide: [], validate: false }, clock);
    const provider = wallet(market, 'provider', { provide: [], validate: false }, clock);
    const pricey = wallet(market, 'pricey', { provide: [], validate: false }, clock);
    try {
      await provider.runtime.offer('pow', 1000n, 2n);
      await pricey.runtime.offer('pow', 1000n, 5n);
      expect(loadOf(market.ledger, provider.key)).toMatchObject([
        { service: 'pow', capacity: 1000n, rate: 2n, active: 0n },
      ]);

      const result = consumer.runtime.negotiate({
        service: 'pow',
        volume: 64n,
        validators: 0,
        fee: 0n,
        maxRate: 4n,
      });
      expect(result.recommended).toBe(provider.key);
      expect(result.excluded).toMatchObject([{ provider: pricey.key, reason: 'rate-above-max' }]);

      const { id, escrow } = await consumer.runtime.request({
        service: 'pow',
        job: { data: utf8('browser job'), difficulty: 6 },
        volume: 64n,
        provider: provider.key,
        validators: 0,
        fee: 0n,
        within: MACHINE_WITHIN,
      });
      expect(escrow).toBe(128n);
      // The secret is saved before the request is signed.
      expect(consumer.log.slice(-2)).toEqual([
        expect.stringMatching(/^meta reveal-/),
        'tx request',
      ]);
      expect(market.available('consumer')).toBe(872n);
      const view = instanceView(market.ledger, id)!;
      expect(stepsFor(market.ledger, view, provider.key, clock.now)).toEqual([{ kind: 'respond' }]);

      // Switching the automation on: the provider accepts, solves and delivers.
      provider.runtime.setAutomation({ provide: ['pow'], validate: false });
      await until('the delivery', () => instanceView(market.ledger, id)?.delivery !== undefined);
      expect(provider.events.map((e) => e.kind)).toEqual(['accepted', 'delivered']);

      // The witnesses see it all in time; the provider's wallet settles on its own.
      await market.voteAll(T0 + 30_000);
      await until('the settlement', () => outcomeOf(market.ledger, id) !== undefined);
      expect(outcomeOf(market.ledger, id)).toBe('completed');
      await market.voteAll(T0 + 40_000);
      expect(market.ledger.account(provider.key)).toMatchObject({ balance: 128n, available: 128n });

      const settled = instanceView(market.ledger, id)!;
      expect(timelineOf(market.ledger, settled).map((e) => e.kind)).toEqual([
        'request',
        'accept',
        'deliver',
        'outcome',
        'settle',
      ]);
      const earnings = earningsOf(
        market.ledger,
        provider.key,
        instancesOf(market.ledger, provider.key),
      );
      expect(earnings).toMatchObject([{ amount: 128n, total: 128n, request: id }]);
      // Both wallets' histories show the money: the escrow out, the settlement in.
      expect(
        historyOf(market.ledger, consumer.key).filter((e) => e.kind === 'escrow'),
      ).toMatchObject([{ id, direction: 'out', amount: 128n, counterparty: provider.key }]);
      expect(historyOf(market.ledger, provider.key)).toMatchObject([
        {
          kind: 'payout',
          direction: 'in',
          amount: 128n,
          counterparty: consumer.key,
          status: 'final',
        },
      ]);
    } finally {
      for (const w of [consumer, provider, pricey]) void w.runtime.close();
    }
  });

  it('reveals the saved secret once accepted, and a validator judges automatically', async () => {
    const market = await newMarket([
      ['consumer', 1000n],
      ['provider', 0n],
      ['validator', 100n],
    ]);
    const clock = { now: T0 };
    const consumer = wallet(market, 'consumer', { provide: [], validate: false }, clock);
    const provider = wallet(market, 'provider', { provide: ['pow'], validate: false }, clock);
    const validator = wallet(market, 'validator', { provide: [], validate: true }, clock);
    try {
      await validator.runtime.bond(50n);
      await provider.runtime.offer('pow', 1000n, 1n);
      await market.voteAll(T0 - 1);
      const { id, escrow } = await consumer.runtime.request({
        service: 'pow',
        job: { data: utf8('judged job'), difficulty: 4 },
        volume: 16n,
        provider: provider.key,
        validators: 1,
        fee: 3n,
        within: MACHINE_WITHIN,
      });
      expect(escrow).toBe(19n);
      await until('the reveal and the verdict', () => {
        const view = instanceView(market.ledger, id);
        return view?.reveal !== undefined && view.verdicts.length === 1;
      });
      expect(consumer.events.map((e) => e.kind)).toContain('revealed');
      expect(instanceView(market.ledger, id)!.committee).toEqual([validator.key]);
      await market.voteAll(T0 + 30_000);
      await until('the settlement', () => outcomeOf(market.ledger, id) !== undefined);
      expect(outcomeOf(market.ledger, id)).toBe('passed');
      await market.voteAll(T0 + 40_000);
      // The validator's fee, and its bond, in its history.
      expect(
        historyOf(market.ledger, validator.key).map((e) => [e.kind, e.direction, e.amount]),
      ).toEqual(
        expect.arrayContaining([
          ['payout', 'in', 3n],
          ['bond', 'out', 50n],
        ]),
      );
    } finally {
      for (const w of [consumer, provider, validator]) void w.runtime.close();
    }
  });

  it('refuses to reveal without the secret, and declines what the ledger would refuse', async () => {
    const market = await newMarket([
      ['consumer', 1000n],
      ['provider', 0n],
    ]);
    const clock = { now: T0 };
    const consumer = wallet(market, 'consumer', { provide: [], validate: false }, clock);
    const provider = wallet(market, 'provider', { provide: [], validate: false }, clock);
    try {
      await provider.runtime.offer('pow', 100n, 1n);
      const { id } = await consumer.runtime.request({
        service: 'pow',
        job: { data: utf8('too big'), difficulty: 6 },
        volume: 64n,
        provider: provider.key,
        validators: 0,
        fee: 0n,
        within: MACHINE_WITHIN,
      });
      await expect(consumer.runtime.reveal(id)).rejects.toThrow(/not accepted yet/);
      // The provider shrinks its capacity below the job before its automation answers.
      await provider.runtime.offer('pow', 10n, 1n);
      provider.runtime.setAutomation({ provide: ['pow'], validate: false });
      await until('the decline', () => provider.events.some((e) => e.kind === 'declined'));
      await market.voteAll(T0 + 30_000);
      await until('the refund', () => outcomeOf(market.ledger, id) !== undefined);
      expect(outcomeOf(market.ledger, id)).toBe('declined');
      await market.voteAll(T0 + 40_000);
      expect(market.available('consumer')).toBe(1000n);
      // Sealed work needs SSK, which this wallet does not have.
      await expect(provider.runtime.deliverText(id, 'text')).rejects.toThrow(/shared key/);
    } finally {
      for (const w of [consumer, provider]) void w.runtime.close();
    }
  });

  it('runs a task by hand: sealed details, a sealed delivery, and the consumer’s approval', async () => {
    const market = await newMarket([
      ['consumer', 1000n],
      ['provider', 0n],
      ['validator', 100n],
    ]);
    const clock = { now: T0 };
    const off = { provide: [], validate: false };
    const consumer = wallet(market, 'consumer', off, clock, { ssk: true });
    const provider = wallet(market, 'provider', off, clock, { ssk: true });
    const validator = wallet(market, 'validator', off, clock);
    try {
      // A registered type shows up in the catalog and can be offered like a built-in.
      const registration = await provider.runtime.registerService({
        name: 'Translation',
        unit: 'pages',
        fields: [['text', 'text', true, true]],
        negotiation: 'lowest-total',
        evaluation: 'review',
        compensation: 'rate-times-volume',
      });
      expect(servicesOf(market.ledger).map((def) => def.name)).toContain('Translation');
      await provider.runtime.offer(registration.id, 10n, 7n);
      await provider.runtime.offer('task', 10n, 5n);
      await validator.runtime.bond(20n);

      const { id } = await consumer.runtime.request({
        service: 'task',
        job: { fields: { title: 'Proofread' } },
        volume: 2n,
        provider: provider.key,
        validators: 1,
        fee: 1n,
        within: [60, 120, 180, 240],
        sensitive: { details: 'the secret draft' },
      });
      // The request brought a key with it; only the two parties read the details.
      const view = () => instanceView(market.ledger, id)!;
      expect(provider.runtime.privateParts(view()).details).toEqual({
        details: 'the secret draft',
      });
      expect(validator.runtime.privateParts(view())).toEqual({});

      await provider.runtime.accept(id);
      await until('the reveal', () => view().reveal !== undefined);
      await provider.runtime.deliverText(id, 'proofread: all good');
      expect(consumer.runtime.privateParts(view()).delivery).toBe('proofread: all good');
      expect(stepsFor(market.ledger, view(), consumer.key, clock.now)).toContainEqual({
        kind: 'review',
        delivery: view().delivery,
      });
      await consumer.runtime.review(id, true);
      await market.voteAll(T0 + 30_000);
      await until('the settlement', () => outcomeOf(market.ledger, id) !== undefined);
      expect(outcomeOf(market.ledger, id)).toBe('approved');
    } finally {
      for (const w of [consumer, provider, validator]) {
        void w.runtime.close();
        w.ssk?.close();
      }
    }
  });
});

describe('a dispute on the browser market runtime (protocol §11.8)', () => {
  it('seals the delivery for the drawn validator, who reads it; a validator without keys is told why', async () => {
    const market = await newMarket([
      ['consumer', 1000n],
      ['provider', 0n],
      ['validator', 100n],
    ]);
    const clock = { now: T0 };
    const off = { provide: [], validate: false };
    const consumer = wallet(market, 'consumer', off, clock, { ssk: true });
    const provider = wallet(market, 'provider', off, clock, { ssk: true });
    const validator = wallet(market, 'validator', off, clock, { ssk: true });
    const keyless = wallet(market, 'validator', off, clock);
    try {
      await provider.runtime.offer('task', 10n, 5n);
      await validator.runtime.bond(20n);
      // The negotiation offers the provider only because the escrow's committee check passes.
      const ranked = consumer.runtime.negotiate({ service: 'task', volume: 2n, validators: 1 });
      expect(ranked.recommended).toBe(provider.key);
      const { id } = await consumer.runtime.request({
        service: 'task',
        job: { fields: { title: 'Proofread' } },
        volume: 2n,
        provider: provider.key,
        validators: 1,
        fee: 1n,
        within: [60, 120, 180, 240],
        sensitive: { details: 'the secret draft' },
      });
      const view = () => instanceView(market.ledger, id)!;
      await provider.runtime.accept(id);
      await until('the reveal', () => view().reveal !== undefined);
      await provider.runtime.deliverText(id, 'proofread: all good');
      // Before the dispute there is nothing for the validator to read.
      expect(validator.runtime.evidence(view())).toEqual({ ok: false, gap: 'no-dispute' });
      await consumer.runtime.review(id, false);
      expect(view().committee).toEqual([validator.key]);
      const reading = validator.runtime.evidence(view());
      expect(reading.ok).toBe(true);
      if (!reading.ok) return;
      expect(new TextDecoder().decode(reading.result)).toBe('proofread: all good');
      expect(reading.matches).toBe(true);
      expect(JSON.parse(new TextDecoder().decode(reading.details))).toEqual({
        details: 'the secret draft',
      });
      // The same identity on a device that cannot open SSK keys is told why.
      expect(keyless.runtime.evidence(view())).toEqual({ ok: false, gap: 'no-keys' });
      // The provider, not drawn, has no copy.
      expect(provider.runtime.evidence(view())).toEqual({ ok: false, gap: 'not-sealed-for-you' });
    } finally {
      for (const w of [consumer, provider, validator, keyless]) {
        void w.runtime.close();
        w.ssk?.close();
      }
    }
  });

  it('refuses the escrow, and the negotiation offers no one, when the provider is the only validator', async () => {
    const market = await newMarket([
      ['consumer', 1000n],
      ['provider', 100n],
    ]);
    const clock = { now: T0 };
    const off = { provide: [], validate: false };
    const consumer = wallet(market, 'consumer', off, clock);
    const provider = wallet(market, 'provider', off, clock);
    try {
      await provider.runtime.offer('task', 10n, 5n);
      await provider.runtime.bond(20n);
      const result = consumer.runtime.negotiate({ service: 'task', volume: 1n, validators: 1 });
      expect(result.recommended).toBeNull();
      expect(result.excluded).toEqual([
        {
          provider: provider.key,
          reason: 'no-committee',
          detail: 'the pool has 0 bonded validators; 1 are needed',
        },
      ]);
      const escrow = consumer.runtime.request({
        service: 'task',
        job: { fields: { title: 'Proofread' } },
        volume: 1n,
        provider: provider.key,
        validators: 1,
        fee: 1n,
      });
      await expect(escrow).rejects.toThrow('the pool has 0 bonded validators; 1 are needed');
      // Nothing was escrowed, and no secret was saved.
      expect(market.available('consumer')).toBe(1000n);
      expect(consumer.meta.size).toBe(0);
    } finally {
      for (const w of [consumer, provider]) void w.runtime.close();
    }
  });
});
