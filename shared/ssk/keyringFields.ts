// Sealing and opening SSK fields (docs/protocol.md §10.3) with an identity's keyring: the
// current key of the pair for sealing, every key of the field's epoch for opening. What a
// wallet does with a request's sensitive details, a hand-made delivery or a private memo,
// whichever platform it runs on. Pure: randomness comes in as a port.
import { fromHex } from '../bytes.ts';
import type { KeyHex, NetworkId } from '../ids.ts';
import type { RandomPort } from '../ports.ts';
import { openField, peekFieldEpoch, sealField } from './field.ts';
import type { SskKeyring } from './keyring.ts';

export interface FieldParty {
  readonly keyring: SskKeyring;
  readonly network: NetworkId;
  readonly me: KeyHex;
}

/** Seals `plaintext` for `to` with the pair's current key, bound to `label`; throws a sentence. */
export function sealFieldFor(
  party: FieldParty,
  to: KeyHex,
  label: string,
  plaintext: Uint8Array,
  random: RandomPort,
): Uint8Array {
  const current = party.keyring.current(to);
  if (!current.ok) throw new Error(current.error);
  const context = {
    network: fromHex(party.network),
    sender: fromHex(party.me),
    recipient: fromHex(to),
    epoch: current.ssk.share.epoch,
    label,
  };
  return sealField(current.ssk.key, context, plaintext, random);
}

/** Opens a field `sender` sealed for `recipient` (one of them `party.me`), or null. */
export function openFieldFrom(
  party: FieldParty,
  sender: KeyHex,
  recipient: KeyHex,
  label: string,
  sealed: Uint8Array,
): Uint8Array | null {
  if (sender !== party.me && recipient !== party.me) return null;
  const epoch = peekFieldEpoch(sealed);
  if (!epoch.ok) return null;
  const context = {
    network: fromHex(party.network),
    sender: fromHex(sender),
    recipient: fromHex(recipient),
    epoch: epoch.epoch,
    label,
  };
  // Every key of that epoch: a field sealed just before a concurrent reset still opens.
  for (const ssk of party.keyring.keysAt(sender === party.me ? recipient : sender, epoch.epoch)) {
    const opened = openField(ssk.key, context, sealed);
    if (opened.ok) return opened.plaintext;
  }
  return null;
}
