// The door of a ticket link (docs/protocol.md §13.9): the small room where a newcomer who holds
// a ticket knocks and the inviter's peer answers. Its messages travel as binary entries of one
// Y.Array in the door room's doc, which anyone holding the ticket can write: every entry is
// untrusted, parsed strictly and bounded, and never throws.
//
//   room, password  HKDF-SHA256(ticket, salt = network id, "GPoW/door-room/v1" | "…-password/v1")
//   knock           CBOR { v: 1, k: "knock", to: a fresh Ed25519 public key of the newcomer,
//                          who?: the newcomer's identity, for the inviter's list }
//   answer          CBOR { v: 1, k: "grant", to, box, sig }   box = the join secret sealed to `to`
//                 | CBOR { v: 1, k: "refuse", to, why, sig }  why = used | expired | revoked
//   sig             Ed25519 by the door key over CBOR { d: "GPoW/door/v1", net, door, to, box|why }
//
// The signature is what the newcomer checks: the link names the door key, so another ticket
// holder sitting in the room cannot answer in the inviter's place. The sealed box (shared/ssk/
// box.ts) means a ticket holder reading the room learns nothing from a grant to someone else.
import * as v from 'valibot';
import { fromHex } from '../bytes.ts';
import { encodeCanonical } from '../codec/cbor.ts';
import { isAcceptablePublicKey, signMessage, type SignatureVerifier } from '../crypto/ed25519.ts';
import type { RandomPort } from '../ports.ts';
import { openKey, sealKey, SSK_ALG_X25519_XCHACHA, type BoxContext } from '../ssk/box.ts';
import { keyedRoom } from '../ssk/channel.ts';
import { parseVersioned } from '../ssk/wire.ts';
import { bytesOf } from '../tx/schema.ts';
import { JOIN_SECRET_BYTES } from './invitation.ts';

export const DOOR_VERSION = 1;
/** The door doc's one array. */
export const DOOR_ARRAY = 'door';
/** The largest door entry: a grant is about 300 bytes. */
export const MAX_DOOR_ENTRY_BYTES = 1024;
export const REFUSALS = ['used', 'expired', 'revoked'] as const;
export type Refusal = (typeof REFUSALS)[number];
const DOMAIN = 'GPoW/door/v1';
/** The box's epoch: a door hands over one secret per newcomer key, so there is one generation. */
const BOX_EPOCH = 1;

export function doorRoomOf(
  ticket: Uint8Array,
  networkId: string,
): { room: string; password: string } {
  return keyedRoom('door', ticket, networkId);
}

const knockSchema = v.strictObject({
  v: v.literal(DOOR_VERSION),
  k: v.literal('knock'),
  // The inviter seals to this key: one that is no usable Ed25519 point would make sealing throw.
  to: v.pipe(
    bytesOf(32),
    v.check((key) => isAcceptablePublicKey(key), 'the knock key is not a public key'),
  ),
  who: v.optional(bytesOf(32)),
});

const answerSchema = v.variant('k', [
  v.strictObject({
    v: v.literal(DOOR_VERSION),
    k: v.literal('grant'),
    to: bytesOf(32),
    box: v.instance(Uint8Array),
    sig: bytesOf(64),
  }),
  v.strictObject({
    v: v.literal(DOOR_VERSION),
    k: v.literal('refuse'),
    to: bytesOf(32),
    why: v.picklist(REFUSALS),
    sig: bytesOf(64),
  }),
]);

const entrySchema = v.variant('k', [knockSchema, ...answerSchema.options]);

export interface Knock {
  readonly to: Uint8Array;
  readonly who?: Uint8Array;
}

export type Answer =
  | {
      readonly k: 'grant';
      readonly to: Uint8Array;
      readonly box: Uint8Array;
      readonly sig: Uint8Array;
    }
  | {
      readonly k: 'refuse';
      readonly to: Uint8Array;
      readonly why: Refusal;
      readonly sig: Uint8Array;
    };

export type DoorEntry = { kind: 'knock'; knock: Knock } | { kind: 'answer'; answer: Answer };

export function encodeKnock(knock: Knock): Uint8Array {
  return encodeCanonical({
    v: DOOR_VERSION,
    k: 'knock',
    to: knock.to,
    ...(knock.who ? { who: knock.who } : {}),
  });
}

/** One entry of the door array, or why it is refused. Never throws. */
export function parseDoorEntry(
  bytes: unknown,
): { ok: true; entry: DoorEntry } | { ok: false; error: string } {
  const options = { what: 'door message', version: DOOR_VERSION, maxBytes: MAX_DOOR_ENTRY_BYTES };
  // One schema, chosen by `k`, so a refusal names what is wrong with the kind the entry claims.
  const parsed = parseVersioned(bytes, { ...options, schema: entrySchema });
  if (!parsed.ok) return parsed;
  const value = parsed.value;
  return value.k === 'knock'
    ? { ok: true, entry: { kind: 'knock', knock: value } }
    : { ok: true, entry: { kind: 'answer', answer: value } };
}

/** What the door key signs: the answer bound to this network, this door and this newcomer. */
function signedPart(
  networkId: string,
  door: Uint8Array,
  to: Uint8Array,
  said: Uint8Array | Refusal,
) {
  return encodeCanonical({
    d: DOMAIN,
    net: fromHex(networkId),
    door,
    to,
    ...(typeof said === 'string' ? { why: said } : { box: said }),
  });
}

function boxContext(networkId: string, door: Uint8Array, to: Uint8Array): BoxContext {
  return { network: fromHex(networkId), sender: door, recipient: to, epoch: BOX_EPOCH };
}

export interface DoorKey {
  readonly secret: Uint8Array;
  readonly public: Uint8Array;
}

/** The inviter's grant: the join secret sealed to the knocker's key, signed by the door. */
export function encodeGrant(
  networkId: string,
  door: DoorKey,
  to: Uint8Array,
  joinSecret: Uint8Array,
  now: number,
  random: RandomPort,
): Uint8Array {
  const meta = {
    epoch: BOX_EPOCH,
    alg: SSK_ALG_X25519_XCHACHA,
    created: now,
    purpose: 'join secret',
  } as const;
  const box = sealKey(joinSecret, meta, boxContext(networkId, door.public, to), random);
  const sig = signMessage(door.secret, signedPart(networkId, door.public, to, box));
  return encodeCanonical({ v: DOOR_VERSION, k: 'grant', to, box, sig });
}

export function encodeRefusal(
  networkId: string,
  door: DoorKey,
  to: Uint8Array,
  why: Refusal,
): Uint8Array {
  const sig = signMessage(door.secret, signedPart(networkId, door.public, to, why));
  return encodeCanonical({ v: DOOR_VERSION, k: 'refuse', to, why, sig });
}

export type AnswerResult =
  | { ok: true; secret: Uint8Array }
  | { ok: false; refused: Refusal }
  | { ok: false; refused?: undefined; error: string };

/**
 * What an answer for us says, once its signature is the door's: the join secret, or the door's
 * refusal. `mine` is the newcomer's own secret key for this knock.
 */
export async function readAnswer(
  answer: Answer,
  networkId: string,
  door: Uint8Array,
  mine: DoorKey,
  verifier: SignatureVerifier,
): Promise<AnswerResult> {
  const said = answer.k === 'grant' ? answer.box : answer.why;
  const signed = await verifier.verify(
    answer.sig,
    signedPart(networkId, door, mine.public, said),
    door,
  );
  if (!signed) return { ok: false, error: 'an answer at the door is not signed by the inviter' };
  if (answer.k === 'refuse') return { ok: false, refused: answer.why };
  const opened = openKey(answer.box, mine.secret, boxContext(networkId, door, mine.public));
  if (!opened.ok)
    return { ok: false, error: `the inviter's answer does not open: ${opened.error}` };
  if (opened.key.length !== JOIN_SECRET_BYTES)
    return { ok: false, error: 'the sealed join secret has the wrong length' };
  return { ok: true, secret: opened.key };
}

/** The sentence a newcomer reads when the door refuses. */
export function refusalSentence(why: Refusal): string {
  switch (why) {
    case 'used':
      return 'this invitation was for one person and has already been used: ask for a new one';
    case 'expired':
      return 'this invitation has expired: ask for a new one';
    case 'revoked':
      return 'the inviter withdrew this invitation: ask for a new one';
  }
}
