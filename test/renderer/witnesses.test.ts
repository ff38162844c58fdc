// The Witnesses panel (docs/protocol.md §13) rendered from the app's own store, and the runtime
// adapter it acts through (renderer/runtime/witnesses.ts): the set with its quorum in a sentence,
// Replace, Remove and Add for a witness, the sentence for a member who is not one, a preview
// that says what will change and the planner's refusals as sentences, a proposal that takes
// effect, another witness's proposal to back, and finality stuck for want of a witness. Clicking
// through the confirmation steps is test/e2e/witnesses.test.ts's part.
import { IDBKeyRange } from 'fake-indexeddb';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createStore } from 'zustand/vanilla';
import { fromHex } from '../../shared/bytes.ts';
import { publicKeyOf } from '../../shared/crypto/ed25519.ts';
import { encodeAddress } from '../../shared/identity/address.ts';
import { identityFromMnemonic } from '../../shared/identity/mnemonic.ts';
import { keyHexOf, type KeyHex } from '../../shared/ids.ts';
import { signMessage } from '../../shared/crypto/ed25519.ts';
import { signTx } from '../../shared/tx/envelope.ts';
import { composeVote } from '../../shared/wallet/compose.ts';
import {
  finalityDiagnosis,
  STUCK_AFTER_MS,
  stuckSentence,
} from '../../shared/wallet/witnessReport.ts';
import {
  composeWitnessSet,
  planWitnessChange,
  witnessSetSigningMessage,
} from '../../shared/wallet/witnesses.ts';
import { App } from '../../renderer/App.tsx';
import { en } from '../../renderer/i18n/en.ts';
import { translator } from '../../renderer/i18n/i18n.ts';
import type { NetworkRuntime } from '../../renderer/runtime/networkRuntime.ts';
import {
  backChange,
  previewChange,
  proposeChange,
  STUCK_PREFIX,
  stuckFinality,
} from '../../renderer/runtime/witnesses.ts';
import type { AppState } from '../../renderer/state/appStore.ts';
import { describeError } from '../../renderer/state/errors.ts';
import { shortAddress } from '../../renderer/ui/components/party.tsx';
import { witnessCandidates } from '../../renderer/ui/screens/WitnessForm.tsx';
import { identity } from '../helpers/network.ts';
import { PHRASE, testApp, type TestApp } from './fixtures.ts';

const t = translator('en');
const ME = keyHexOf(identityFromMnemonic(PHRASE).publicKey);
const BOB = identity('bob');
const CAROL = identity('carol');
const short = (key: KeyHex) => shortAddress(encodeAddress(fromHex(key)));

const render = (app: TestApp) => {
  const now = app.store.getState();
  return renderToStaticMarkup(createElement(App, { store: createStore<AppState>()(() => now) }));
};

function at(path: string): void {
  vi.stubGlobal('window', {
    location: { hash: `#/${path}` },
    addEventListener: () => undefined,
    removeEventListener: () => undefined,
  });
}

beforeEach(() => {
  vi.stubGlobal('IDBKeyRange', IDBKeyRange);
  at('network');
});
afterEach(() => {
  vi.unstubAllGlobals();
});

/** An app on the founder's identity, in a network with these witnesses. */
async function network(label: string, witnesses: KeyHex[]): Promise<[TestApp, NetworkRuntime]> {
  const app = testApp(label);
  await app.store.getState().boot();
  await app.store.getState().createIdentity(PHRASE, 'correct horse');
  await app.store.getState().createNetwork({
    name: 'Witnesses',
    witnesses,
    allocations: [
      [ME, 1000n],
      [BOB.key, 5n],
      [CAROL.key, 5n],
    ],
    creditLimit: 0n,
  });
  const runtime = app.store.getState().runtime;
  if (runtime === null) throw new Error('no runtime');
  return [app, runtime];
}

/** The store hears of changes on a timer; the page reads the ledger on the next render. */
const changed = (app: TestApp) =>
  app.store.setState((s) => ({ ledgerVersion: s.ledgerVersion + 1, status: s.runtime!.status() }));

async function until(what: string, probe: () => boolean): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (probe()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('the Witnesses panel', () => {
  it('shows the only witness its set and quorum, and previews a replacement', async () => {
    const [app, runtime] = await network('alone', [ME]);
    const html = render(app);
    expect(html).toContain('data-testid="witnesses-table"');
    expect(html).toContain(en['witnesses.quorum.one']);
    expect(html).toContain(`data-witness="${encodeAddress(fromHex(ME))}"`);
    expect(html).toContain('aria-label="Replace you"');
    expect(html).toContain('aria-label="Remove you"');
    expect(html).toContain(`>${en['witnesses.add']}<`);
    expect(html).not.toContain('data-testid="witness-ask"');

    const ledger = runtime.ledger!;
    const preview = previewChange(ledger, ME, { kind: 'replace', old: ME, key: BOB.key });
    expect(preview).toMatchObject({ before: [ME], after: [BOB.key], needed: 1, quorumAfter: 1 });
    // The planner's refusals, each as its own sentence.
    const refusal = (change: Parameters<typeof previewChange>[2]) => {
      try {
        previewChange(ledger, ME, change);
      } catch (error) {
        return describeError(error, t);
      }
      throw new Error('not refused');
    };
    expect(refusal({ kind: 'remove', key: ME })).toBe('A network needs at least one witness.');
    expect(refusal({ kind: 'add', key: ME })).toBe('That key is already a witness.');
    expect(refusal({ kind: 'remove', key: BOB.key })).toBe('That key is not a witness.');
    expect(() => previewChange(ledger, BOB.key, { kind: 'add', key: CAROL.key })).toThrow(
      'only a current witness can propose a change of the witnesses',
    );

    // Proposing makes the change; the founder's own votes back it and enact it, and, as it
    // leaves the set, acknowledge it. The set taking over is shown, and no second change offered.
    const id = await proposeChange(runtime, { kind: 'replace', old: ME, key: BOB.key });
    // Its one-time key authors a chain of its own, and is never offered as a witness.
    const oneTime = ledger.get(id)?.author;
    expect(oneTime).toMatch(/^[0-9a-f]{64}$/);
    const offered = witnessCandidates(ledger).map((m) => m.key);
    expect(offered).toContain(CAROL.key);
    expect(offered).not.toContain(oneTime);
    await until('the change to be enacted', () => runtime.witnessSets.report()?.incoming !== null);
    changed(app);
    const taking = render(app);
    expect(taking).toContain(t('witnesses.incoming', { names: short(BOB.key) }));
    expect(taking).toContain(en['witnesses.oneAtATime']);
    expect(taking).not.toContain('aria-label="Replace');
    // Bob's peer votes, as it would on hearing of the change: that hands the set over to him.
    await until('the founder’s acknowledgement', () => {
      const vote = composeVote(runtime.ledger!, BOB.key, runtime.ports.clock.now());
      return vote?.ok === true;
    });
    const vote = composeVote(runtime.ledger!, BOB.key, runtime.ports.clock.now());
    if (!vote?.ok) throw new Error('Bob cannot vote');
    await runtime.importTransaction(signTx(BOB.secret, vote.tx));
    expect(runtime.witnessSets.report()?.epoch).toBe(1);
    changed(app);
    const after = render(app);
    expect(runtime.witnessSets.report()?.witnesses.map((w) => w.key)).toEqual([BOB.key]);
    expect(after).toContain(`data-witness="${encodeAddress(fromHex(BOB.key))}"`);
    // No longer a witness: the page says whom to ask.
    expect(after).toContain(t('witnesses.onlyWitnesses', { names: short(BOB.key) }));
    expect(after).not.toContain('aria-label="Replace');
    // A proposal from someone no longer a witness is refused with the engine's sentence.
    const late = await proposeChange(runtime, { kind: 'add', key: CAROL.key }).catch(
      (error: unknown) => describeError(error, t),
    );
    expect(late).toMatch(/^Only a witness can propose a change of the witnesses/);
    await app.store.getState().lock();
  });

  it('lets a witness back another witness’s proposal, and names who backs it', async () => {
    const [app, runtime] = await network('backing', [ME, BOB.key]);
    const ledger = runtime.ledger!;
    // Bob proposes adding Carol, under a one-time key, as his peer would.
    const planned = planWitnessChange(ledger, BOB.key, { kind: 'add', key: CAROL.key });
    if (!planned.ok) throw new Error(planned.rejection.message);
    const author = new Uint8Array(32).fill(7);
    const message = witnessSetSigningMessage(planned.plan, keyHexOf(publicKeyOf(author)));
    const unsigned = composeWitnessSet(planned.plan, signMessage(BOB.secret, message), 5);
    const proposal = await runtime.importTransaction(signTx(author, unsigned));
    changed(app);

    const html = render(app);
    expect(html).toContain(
      en['witnesses.quorum.other'].replace('{quorum}', '2').replace('{count}', '2'),
    );
    expect(html).toContain('data-testid="witness-changes"');
    expect(html).toContain(`data-change="${proposal.id}"`);
    expect(html).toContain(t('witnesses.change', { by: short(BOB.key) }));
    expect(html).toContain(t('witnesses.adds', { names: short(CAROL.key) }));
    expect(html).toContain(
      t('witnesses.backers', { names: en['witnesses.nobody'], backed: 0, needed: 2 }),
    );
    expect(html).toContain(`>${en['witnesses.back']}<`);
    // A second proposal for the epoch would split the backing: no Replace, Remove or Add.
    expect(html).toContain(en['witnesses.oneAtATime']);
    expect(html).not.toContain('aria-label="Replace');

    const refused = (() => {
      try {
        backChange(runtime, 'ffffffffffff');
      } catch (error) {
        return describeError(error, t);
      }
      return 'backed';
    })();
    expect(refused).toBe('No proposed change of the witnesses starts with ffffffffffff.');
    backChange(runtime, proposal.id.slice(0, 12));
    // The founder's next vote carries the backing.
    await until('the backing vote', () =>
      (runtime.witnessSets.report()?.changes[0]?.backers ?? []).includes(ME),
    );
    changed(app);
    expect(render(app)).toContain(
      t('witnesses.backers', { names: en['witnesses.you'], backed: 1, needed: 2 }),
    );
    await app.store.getState().lock();
  });

  it('shows stuck finality with the missing witness by name', async () => {
    const [app, runtime] = await network('stuck', [ME, BOB.key]);
    // Bob never votes: the founder's payment waits for him.
    await runtime.transfer(CAROL.key, 10n);
    expect(stuckFinality(runtime, [])).toBeNull();
    // The founder's own vote covers it soon; Bob's never comes.
    const ledger = runtime.ledger!;
    const later = () => runtime.ports.clock.now() + 2 * STUCK_AFTER_MS;
    await until('the founder’s vote', () => finalityDiagnosis(ledger, 0)?.backers.length === 1);
    // The sentence the engine's problems() gives, which is what the panel looks for.
    const diagnosis = finalityDiagnosis(ledger, later());
    if (!diagnosis?.stuck) throw new Error('not stuck');
    const sentence = stuckSentence(diagnosis, (key) => key);
    expect(sentence.startsWith(STUCK_PREFIX)).toBe(true);
    const stuck = stuckFinality(runtime, [sentence]);
    expect(stuck?.missing.map((w) => w.key)).toEqual([BOB.key]);
    expect(stuck?.needed).toBe(2);

    app.store.setState((s) => ({
      ledgerVersion: s.ledgerVersion + 1,
      status: { ...runtime.status(), problems: [sentence] },
    }));
    const html = render(app);
    expect(html).toContain('data-testid="witness-stuck"');
    expect(html).toContain(en['witnesses.stuck.title']);
    expect(html).toContain(t('witnesses.stuck.missing', { names: short(BOB.key) }));
    expect(html).toContain(t('witnesses.stuck.remedyWitness.other', { needed: 2 }));
    await app.store.getState().lock();
  });
});
