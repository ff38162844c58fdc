// SSK in the browser runtime: keys shared through the runtime's signer path, boxes opened by
// the signer (the runtime never holds the secret), fields sealed for and opened from the
// other side of the pair, and the private channel's own log.
import { describe, expect, it } from 'vitest';
import { fromHex, fromUtf8, utf8 } from '../../shared/bytes.ts';
import { openKey } from '../../shared/ssk/box.ts';
import { SskDirectory } from '../../shared/ssk/directory.ts';
import { openField, sealField } from '../../shared/ssk/field.ts';
import { SskKeyring } from '../../shared/ssk/keyring.ts';
import { signTx } from '../../shared/tx/envelope.ts';
import { InPageVault } from '../../renderer/bridge/inPageVault.ts';
import { SskSession, sskOpenerOf, type SskOpener } from '../../engine/ssk.ts';
import { admit, identity, newLedger, type TestIdentity } from '../helpers/network.ts';
import { deterministicRandom } from '../helpers/deterministicRandom.ts';
import type { Ledger } from '../../shared/ledger/ledger.ts';
import { NO_WEBRTC } from './fixtures.ts';
import { nodeTimers } from '../../node/platform/nodeTimers.ts';

const alice = identity('ssk alice');
const bob = identity('ssk bob');
const clock = { now: () => 1_800_000_000_000 };

/** What a vault that can open boxes offers: openKey with the secret it keeps. */
const openerOf = (who: TestIdentity): SskOpener => ({
  openSskBox: (box, ctx) => openKey(box, who.secret, ctx),
});

function session(ledger: Ledger, who: TestIdentity, opener: SskOpener | null): SskSession {
  return new SskSession({
    ledger,
    me: who.key,
    opener,
    clock,
    random: deterministicRandom(who.name),
    timers: nodeTimers,
    wrtc: NO_WEBRTC,
    relays: () => [],
    iceServers: () => [],
    act: async (compose) => {
      const composed = compose(ledger, who.key);
      if (composed === null) return null;
      if (!composed.ok) throw new Error(composed.rejection.message);
      const tx = await admit(signTx(who.secret, composed.tx));
      const outcome = ledger.insert(tx);
      if (outcome.status === 'rejected') throw new Error(outcome.rejection.message);
      return { composed, tx };
    },
    onChange: () => undefined,
  });
}

describe('SSK in the browser runtime', () => {
  it('shares a key, seals for the partner and opens what the partner sealed', async () => {
    const ledger = await newLedger({ witnesses: [alice], allocations: [[alice, 10n]] });
    const mine = session(ledger, alice, openerOf(alice));
    try {
      expect(mine.canOpen).toBe(true);
      await mine.share(bob.key);
      await Promise.resolve();
      expect(mine.partners()).toEqual([bob.key]);
      expect(mine.current(bob.key)?.epoch).toBe(1);

      // Bob opens Alice's sealed field with his own keyring (his secret, as the node peer does).
      const bobRing = new SskKeyring(
        new SskDirectory(ledger),
        ledger.networkId,
        bob.key,
        bob.secret,
        clock,
      );
      const key = bobRing.current(alice.key);
      if (!key.ok) throw new Error(key.error);
      const context = (sender: TestIdentity, recipient: TestIdentity) => ({
        network: fromHex(ledger.networkId),
        sender: fromHex(sender.key),
        recipient: fromHex(recipient.key),
        epoch: 1,
        label: 'dnec-delivery',
      });
      const sealed = mine.sealFor(bob.key, 'dnec-delivery', utf8('for bob'));
      const opened = openField(key.ssk.key, context(alice, bob), sealed);
      expect(opened.ok && fromUtf8(opened.plaintext)).toBe('for bob');

      // And Alice opens what Bob sealed for her; a wrong label does not open.
      const back = sealField(
        key.ssk.key,
        context(bob, alice),
        utf8('for alice'),
        deterministicRandom('b'),
      );
      expect(fromUtf8(mine.openSealed(bob.key, alice.key, 'dnec-delivery', back)!)).toBe(
        'for alice',
      );
      expect(mine.openSealed(bob.key, alice.key, 'memo', back)).toBeNull();

      // The private channel keeps its own sealed log.
      mine.sendText(bob.key, 'hello bob');
      expect(mine.conversation(bob.key)?.messages.map((m) => m.text)).toEqual(['hello bob']);
      mine.sendFile(bob.key, 'note.txt', utf8('a small file'));
      expect(mine.conversation(bob.key)?.transfers).toMatchObject([
        { name: 'note.txt', direction: 'out', done: 1, total: 1, complete: true },
      ]);
    } finally {
      mine.close();
    }
  });

  it('without a signer that opens boxes, shares keys but refuses to seal', async () => {
    const ledger = await newLedger({ witnesses: [alice], allocations: [[alice, 10n]] });
    expect(sskOpenerOf(null)).toBeNull();
    expect(sskOpenerOf({ key: alice.key, sign: () => new Uint8Array(0) })).toBeNull();
    const mine = session(ledger, alice, null);
    try {
      expect(mine.canOpen).toBe(false);
      await mine.share(bob.key);
      expect(mine.current(bob.key)?.epoch).toBe(1);
      expect(() => mine.sealFor(bob.key, 'memo', utf8('x'))).toThrow(/cannot open shared keys/);
      expect(mine.conversation(bob.key)).toBeNull();
    } finally {
      mine.close();
    }
  });

  it("browser mode's in-page vault opens boxes sealed to its identity, until it is locked", async () => {
    const ledger = await newLedger({ witnesses: [alice], allocations: [[alice, 10n]] });
    const vault = new InPageVault();
    vault.hold(alice.secret);
    const opener = sskOpenerOf(vault.signer());
    expect(opener).not.toBeNull();
    const mine = session(ledger, alice, opener);
    try {
      expect(mine.canOpen).toBe(true);
      await mine.share(bob.key);
      await Promise.resolve();
      const sealed = mine.sealFor(bob.key, 'memo', utf8('through the vault'));
      const share = new SskDirectory(ledger).current(alice.key, bob.key);
      if (!share) throw new Error('no share');
      const selfContext = {
        network: fromHex(ledger.networkId),
        sender: fromHex(alice.key),
        recipient: fromHex(alice.key),
        epoch: 1,
      };
      // Alice's self-copy opens through the vault; Bob's box does not (it is not hers).
      expect(opener!.openSskBox(share.self, selfContext).ok).toBe(true);
      expect(
        opener!.openSskBox(share.box, { ...selfContext, recipient: fromHex(bob.key) }).ok,
      ).toBe(false);
      expect(fromUtf8(mine.openSealed(alice.key, bob.key, 'memo', sealed)!)).toBe(
        'through the vault',
      );
      vault.lock();
      expect(opener!.openSskBox(share.self, selfContext)).toEqual({
        ok: false,
        error: 'The identity is locked: unlock it to sign.',
      });
    } finally {
      mine.close();
    }
  });
});
