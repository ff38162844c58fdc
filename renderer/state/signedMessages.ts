// Signing and checking messages in the app (docs/keys.md), with the very functions `gpow sign`
// and `gpow verify` use (shared/identity/signedMessage.ts), so a block made in one verifies in
// the other. The key never comes here: the identity's signer signs the 55 bytes (in the page in
// browser mode, in main on the desktop, which accepts them by their domain).
import { fromHex } from '../../shared/bytes.ts';
import type { Address } from '../../shared/identity/address.ts';
import {
  signText,
  verifySignedMessage,
  type SignedMessage,
  type SignedMessageProblem,
} from '../../shared/identity/signedMessage.ts';
import { webVerifier } from '../platform/webVerify.ts';
import type { TxSigner } from '../runtime/signer.ts';
import { UserError } from './errors.ts';

/** The catalogue sentence of each refusal; the core's own sentence is the detail. */
const PROBLEM_KEYS = {
  'not-signed-message': 'signMessage.error.notSigned',
  damaged: 'signMessage.error.damaged',
  'signature-mismatch': 'signMessage.error.mismatch',
  'wrong-signer': 'signMessage.error.wrongSigner',
  'bad-message': 'signMessage.error.badMessage',
} as const satisfies Record<SignedMessageProblem, string>;

/**
 * Signs `text` as the identity and returns the block. Refused on a device paired without the
 * words: its key signs the device's chain, never for the identity.
 */
export function signBlock(text: string, signer: TxSigner | null): string {
  if (signer === null) throw new UserError('error.cannotSign');
  const identity = signer.identity;
  if (identity === undefined) throw new UserError('signMessage.error.device');
  const made = signText(text, {
    publicKey: fromHex(identity.key),
    sign: (bytes) => identity.signMessage(bytes),
  });
  if (!made.ok) throw new UserError(PROBLEM_KEYS[made.code], { detail: made.message });
  return made.block;
}

/** Checks a pasted block (and, when given, its signer); a refusal is a UserError to show. */
export async function verifyBlock(text: string, expected?: Address): Promise<SignedMessage> {
  const result = await verifySignedMessage(text, webVerifier, expected);
  if (!result.ok) throw new UserError(PROBLEM_KEYS[result.code], { detail: result.message });
  return result.signed;
}
