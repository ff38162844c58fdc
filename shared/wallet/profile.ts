// Composes a member's profile (docs/profiles.md) from what a person typed: the name tidied
// (NFKC, single spaces), then every check the ledger applies plus the author-only ones, each
// refusal a sentence. Signing happens elsewhere (the key vault); this returns what to sign.
import * as v from 'valibot';
import type { CborValue } from '../codec/cbor.ts';
import type { KeyHex } from '../ids.ts';
import { authorNameProblem, tidyDisplayName } from '../identity/displayName.ts';
import { PROFILE_TYPE, profileSchema } from '../identity/profile.ts';
import { nextPosition, type Ledger } from '../ledger/ledger.ts';
import { reject } from '../tx/rejection.ts';
import { describeIssues } from '../tx/schema.ts';
import type { ComposeResult } from './compose.ts';

export interface ProfileInput {
  readonly name: string;
  readonly note?: string;
  readonly avatar?: Uint8Array;
  readonly showBalance?: boolean;
}

const refuse = (message: string): ComposeResult => ({
  ok: false,
  rejection: reject('invalid-body', message),
});

/** The body that would be signed, or the sentence saying why there is none. */
export function profileBody(
  input: ProfileInput,
): { ok: true; body: Record<string, CborValue> } | { ok: false; message: string } {
  const name = tidyDisplayName(input.name);
  const problem = authorNameProblem(name);
  if (problem) return { ok: false, message: problem };
  const body: Record<string, CborValue> = { name };
  // An empty note is no note: the field is left out, as is a balance kept private.
  const note = input.note?.normalize('NFC').trim();
  if (note) body.note = note;
  if (input.avatar) body.avatar = input.avatar;
  if (input.showBalance) body.showBalance = true;
  const parsed = v.safeParse(profileSchema, body);
  return parsed.success
    ? { ok: true, body }
    : { ok: false, message: describeIssues(parsed.issues) };
}

export function composeProfile(
  ledger: Ledger,
  from: KeyHex,
  input: ProfileInput,
  time: number,
): ComposeResult {
  const made = profileBody(input);
  if (!made.ok) return refuse(made.message);
  const position = nextPosition(ledger, from);
  if ('code' in position) return { ok: false, rejection: position };
  return {
    ok: true,
    claimed: 0n,
    tx: { net: ledger.networkId, ...position, deps: [], type: PROFILE_TYPE, body: made.body, time },
  };
}
