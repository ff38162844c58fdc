// Turns a typed or pasted address into the account key the ledger uses.
import { parseAddress } from '../../shared/identity/address.ts';
import { keyHexOf, type KeyHex } from '../../shared/ids.ts';
import { UserError } from '../state/errors.ts';

/** The account an address names; throws a UserError saying what is wrong with it. */
export function accountOf(text: string): KeyHex {
  const trimmed = text.trim();
  if (trimmed === '') throw new UserError('address.error.empty');
  const parsed = parseAddress(trimmed);
  if (!parsed.ok) throw new UserError('address.error.invalid', { detail: parsed.error });
  return keyHexOf(parsed.publicKey);
}
