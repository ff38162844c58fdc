// Membership on the Members panel (docs/protocol.md §13.7) and a new join secret on the Invite
// panel (§13.8), rendered from the app's own store, and the runtime adapter they act through
// (renderer/runtime/witnesses.ts): for a witness, "Remove from the network" on each member's row,
// "Admit a member" and "Close the network"; for a member who is not a witness, whom to ask; the
// confirmations' sentences, from the planner's own preview; the planner's refusals as
// sentences; a removal that takes effect, shows the member as removed and changes the join
// secret without them, so the invitation shown carries the new one; a new join secret made by
// hand; and another witness's proposal to remove a member, described and backed. Clicking
// through the confirmation steps is test/e2e/members.test.ts's part.
import { IDBKeyRange } from 'fake-indexeddb';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createStore } from 'zustand/vanilla';
import { fromHex } from '../../shared/bytes.ts';
import { publicKeyOf, signMessage } from '../../shared/crypto/ed25519.ts';
import { encodeAddress } from '../../shared/identity/address.ts';
import { identityFromMnemonic } from '../../shared/identity/mnemonic.ts';
import { keyHexOf, type KeyHex } from '../../shared/ids.ts';
import { formatInvitation } from '../../shared/net/invitation.ts';
import { signTx } from '../../shared/tx/envelope.ts';
import {
  composeWitnessSet,
  planWitnessChange,
  witnessSetSigningMessage,
} from '../../shared/wallet/witnesses.ts';
import { App } from '../../renderer/App.tsx';
import { en } from '../../renderer/i18n/en.ts';
import { pluralTranslator, translator } from '../../renderer/i18n/i18n.ts';
import type { NetworkRuntime } from '../../renderer/runtime/networkRuntime.ts';
import {
  memberStatusOf,
  previewChange,
  proposeChange,
  rotateJoinSecret,
  witnessReportOf,
} from '../../renderer/runtime/witnesses.ts';
import { connectionRelays, type AppState } from '../../renderer/state/appStore.ts';
import { describeError } from '../../renderer/state/errors.ts';
import { shortAddress as partyShort } from '../../renderer/ui/components/party.tsx';
import { admitCandidates, memberConfirmation } from '../../renderer/ui/screens/MemberChange.tsx';
import { shortAddress } from '../../renderer/ui/screens/MemberNames.tsx';
import {
  backConfirmation,
  describe as describeChange,
} from '../../renderer/ui/screens/WitnessChanges.tsx';
import { identity } from '../helpers/network.ts';
import { PHRASE, testApp, type TestApp } from './fixtures.ts';

const t = translator('en');
const tn = pluralTranslator('en', t);
const ME = keyHexOf(identityFromMnemonic(PHRASE).publicKey);
const BOB = identity('bob');
const CAROL = identity('carol');
const short = (key: KeyHex) => shortAddress(encodeAddress(fromHex(key)));
/** How the panels name keys in a sentence when nobody signed a profile. */
const names = (keys: readonly KeyHex[]) =>
  keys.map((k) => (k === ME ? en['witnesses.you'] : short(k))).join(', ');

const render = (app: TestApp) => {
  const now = app.store.getState();
  return renderToStaticMarkup(createElement(App, { store: createStore<AppState>()(() => now) }));
};

beforeEach(() => {
  vi.stubGlobal('IDBKeyRange', IDBKeyRange);
  vi.stubGlobal('window', {
    location: { hash: '#/network' },
    addEventListener: () => undefined,
    removeEventListener: () => undefined,
  });
});
afterEach(() => {
  vi.unstubAllGlobals();
});

/** An app on the founder's identity, in a network with these witnesses; Bob and Carol hold 5. */
async function network(label: string, witnesses: KeyHex[]): Promise<[TestApp, NetworkRuntime]> {
  const app = testApp(label);
  await app.store.getState().boot();
  await app.store.getState().createIdentity(PHRASE, 'correct horse');
  await app.store.getState().createNetwork({
    // A name of its own: the same genesis twice would be one network, and one room.
    name: `Members ${label}`,
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

const changed = (app: TestApp) =>
  app.store.setState((s) => ({ ledgerVersion: s.ledgerVersion + 1, status: s.runtime!.status() }));

async function until(what: string, probe: () => boolean, tries = 800): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (probe()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The invitation the Invite panel shows, made as it makes it. */
const invitationOf = (app: TestApp): string => {
  const { network: net, settings } = app.store.getState();
  if (net === null) throw new Error('no network');
  return formatInvitation({ ...net, relays: connectionRelays(settings, net).slice(0, 16) });
};

const escaped = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;');

describe('membership on the Members panel', () => {
  it('names an address as party.tsx does', () => {
    const address = encodeAddress(fromHex(BOB.key));
    expect(shortAddress(address)).toBe(partyShort(address));
    expect(shortAddress('gpow1short')).toBe(partyShort('gpow1short'));
  });

  it('offers a witness Remove, Admit and Close, with what each will change', async () => {
    const [app, runtime] = await network('offers', [ME]);
    const html = render(app);
    expect(html).toContain('data-testid="member-governance"');
    expect(html).toContain(en['members.open']);
    expect(html).toContain(`aria-label="${t('members.remove.label', { name: short(BOB.key) })}"`);
    expect(html).toContain(`aria-label="${t('members.remove.label', { name: 'you' })}"`);
    expect(html).toContain(`>${en['members.admit']}<`);
    expect(html).toContain(`>${en['members.close']}<`);
    expect(html).not.toContain('data-testid="member-ask"');
    expect(html).not.toContain('data-standing="removed"');
    expect(html).toContain(`>${en['invite.rotate']}<`);

    const ledger = runtime.ledger!;
    // Removing Bob: the sentence the confirmation shows.
    const removal = previewChange(ledger, ME, { kind: 'remove-member', key: BOB.key });
    expect(removal.members).toEqual({ admit: [], remove: [BOB.key], close: false });
    expect(memberConfirmation(removal, t, tn, names)).toBe(
      `${short(BOB.key)} will be removed. Once you, the only witness, back it, which proposing does, ${short(BOB.key)} can no longer sign, and the join secret is changed without them: they stay outside and see nothing new. What they hold stays theirs, frozen.`,
    );
    // Closing: who stays a member.
    const closing = previewChange(ledger, ME, { kind: 'close' });
    expect(closing.members.close).toBe(true);
    expect(closing.members.admit).toEqual(expect.arrayContaining([ME, BOB.key, CAROL.key]));
    const closeSentence = memberConfirmation(closing, t, tn, names);
    expect(closeSentence).toMatch(/^The network will be closed\. Once you, the only witness,/);
    for (const key of [BOB.key, CAROL.key]) expect(closeSentence).toContain(short(key));
    expect(closeSentence).toContain('only these members can sign: ');

    // The planner's refusals, each as its own sentence.
    const refusal = (change: Parameters<typeof previewChange>[2], by = ME) => {
      try {
        previewChange(ledger, by, change);
      } catch (error) {
        return describeError(error, t);
      }
      throw new Error('not refused');
    };
    expect(refusal({ kind: 'admit', key: BOB.key })).toBe('That identity is already a member.');
    expect(refusal({ kind: 'remove-member', key: ME })).toBe(
      'A network needs at least one witness.',
    );
    expect(refusal({ kind: 'admit', key: CAROL.key }, BOB.key)).toBe(
      'Only a current witness can propose a change of the witnesses.',
    );
    // In an open network, nobody is outside yet: nobody to pick for Admit.
    expect(admitCandidates(ledger)).toEqual([]);
    await app.store.getState().lock();
  });

  it('tells a member who is not a witness whom to ask', async () => {
    const [app] = await network('ask', [BOB.key]);
    const html = render(app);
    expect(html).toContain(t('members.onlyWitnesses', { names: short(BOB.key) }));
    expect(html).not.toContain(`>${en['members.admit']}<`);
    expect(html).not.toContain(`>${en['members.close']}<`);
    expect(html).not.toContain('aria-label="Remove ');
    // Nor a new join secret: only a witness makes one, and the engine says so.
    expect(html).not.toContain(`>${en['invite.rotate']}<`);
    const refused = await rotateJoinSecret(app.store.getState().runtime!).catch((error: unknown) =>
      describeError(error, t),
    );
    expect(refused).toBe('Only a witness can rotate the join secret.');
    await app.store.getState().lock();
  });

  it('removes a member: shown removed, and the invitation carries a secret made without them', async () => {
    const [app, runtime] = await network('remove', [ME]);
    const before = app.store.getState().network!.secret;
    const id = await proposeChange(runtime, { kind: 'remove-member', key: BOB.key });
    expect(witnessReportOf(runtime)?.changes.find((c) => c.id === id)).toMatchObject({
      remove: [BOB.key],
      admit: [],
      close: false,
    });
    const ledger = runtime.ledger!;
    await until('the removal to take effect', () => !ledger.mayActNow(BOB.key));
    expect(memberStatusOf(ledger).removed.has(BOB.key)).toBe(true);
    // The proposing witness changes the join secret once the removal is in effect.
    await until('the new join secret', () => app.store.getState().network!.secret !== before);
    expect(runtime.roomKeys.secret).toBe(app.store.getState().network!.secret);
    changed(app);
    const html = render(app);
    expect(html).toContain('data-standing="removed"');
    expect(html).toContain(`>${en['members.status.removed']}<`);
    expect(html).toContain(en['members.removedNote']);
    expect(html).toContain(
      `aria-label="${t('members.admitAgain.label', { name: short(BOB.key) })}"`,
    );
    expect(html).not.toContain(
      `aria-label="${t('members.remove.label', { name: short(BOB.key) })}"`,
    );
    expect(html).toContain(escaped(invitationOf(app)));
    expect(invitationOf(app)).not.toContain(before);
    // Bob can be admitted again: he is the one identity outside, and the sentence says so.
    expect(admitCandidates(ledger).map((m) => m.key)).toEqual([BOB.key]);
    const again = previewChange(ledger, ME, { kind: 'admit', key: BOB.key });
    expect(memberConfirmation(again, t, tn, names)).toBe(
      `${short(BOB.key)} will be admitted. Once you, the only witness, back it, which proposing does, ${short(BOB.key)} can sign in this network; until then nothing changes. ${t('members.confirm.admitInvite', { name: short(BOB.key) })}`,
    );
    await app.store.getState().lock();
  });

  it('closes the network: everyone who has signed or holds money stays a member', async () => {
    const [app, runtime] = await network('close', [ME]);
    const ledger = runtime.ledger!;
    const id = await proposeChange(runtime, { kind: 'close' });
    expect(witnessReportOf(runtime)?.changes.find((c) => c.id === id)?.close).toBe(true);
    await until('the network to close', () => memberStatusOf(ledger).closed);
    for (const key of [ME, BOB.key, CAROL.key]) expect(ledger.mayActNow(key)).toBe(true);
    changed(app);
    const html = render(app);
    expect(html).toContain(en['members.closed']);
    expect(html).not.toContain(`>${en['members.close']}<`);
    expect(html).not.toContain('data-standing="outside"');
    // Closing twice is refused with the planner's sentence.
    expect(() => previewChange(ledger, ME, { kind: 'close' })).toThrow(
      'this network is already closed',
    );
    await app.store.getState().lock();
  });

  it('makes a new join secret by hand: the invitation shown carries it', async () => {
    const [app, runtime] = await network('rotate', [ME]);
    const before = invitationOf(app);
    expect(render(app)).toContain(escaped(before));
    const rotation = await rotateJoinSecret(runtime);
    expect(rotation.secret).not.toBe(app.store.getState().network === null ? '' : before);
    expect(app.store.getState().network!.secret).toBe(rotation.secret);
    const after = invitationOf(app);
    expect(after).not.toBe(before);
    changed(app);
    const html = render(app);
    expect(html).toContain(escaped(after));
    expect(html).not.toContain(escaped(before));
    expect(tn('invite.rotated', rotation.recipients)).toMatch(/^A new join secret is in use/);
    await app.store.getState().lock();
  });

  it('describes another witness’s proposal to remove a member, and what backing it does', async () => {
    const [app, runtime] = await network('backing', [ME, BOB.key]);
    const ledger = runtime.ledger!;
    // Bob proposes removing Carol, under a one-time key, as his peer would.
    const planned = planWitnessChange(ledger, BOB.key, { kind: 'remove-member', key: CAROL.key });
    if (!planned.ok) throw new Error(planned.rejection.message);
    const author = new Uint8Array(32).fill(9);
    const message = witnessSetSigningMessage(planned.plan, keyHexOf(publicKeyOf(author)));
    const unsigned = composeWitnessSet(planned.plan, signMessage(BOB.secret, message), 5);
    const proposal = await runtime.importTransaction(signTx(author, unsigned));
    changed(app);
    const row = witnessReportOf(runtime)?.changes.find((c) => c.id === proposal.id);
    if (!row) throw new Error('no change row');
    expect(describeChange(t, names, row)).toBe(
      `${t('witnesses.removesMembers', { names: short(CAROL.key) })}.`,
    );
    expect(backConfirmation(t, tn, names, row, 2)).toBe(
      `${t('members.effect.remove', { names: short(CAROL.key) })} ${tn('witnesses.back.when', 2, { needed: 2 })}`,
    );
    const html = render(app);
    expect(html).toContain(`data-change="${proposal.id}"`);
    expect(html).toContain(escaped(describeChange(t, names, row)));
    expect(html).toContain(`>${en['witnesses.back']}<`);
    // While it waits, the Members panel proposes nothing else: it would split the backing.
    expect(html).toContain(en['members.oneAtATime']);
    expect(html).not.toContain(`>${en['members.close']}<`);
    // The one-time key is nobody: not a member row, not a candidate.
    expect(html).not.toContain(encodeAddress(fromHex(keyHexOf(publicKeyOf(author)))));
    await app.store.getState().lock();
  });
});
