// `gpow sign` and `gpow verify` (docs/keys.md): a text signed with the home's identity, as a
// block anyone can check, here or in the app, with the same code (shared/identity/signedMessage).
// Verifying needs no identity and no home: only the block.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { base64urlnopad } from '@scure/base';
import { publicKeyOf, signMessage } from '../../shared/crypto/ed25519.ts';
import { parseAddress } from '../../shared/identity/address.ts';
import {
  canonicalMessage,
  signText,
  verifySignedMessage,
} from '../../shared/identity/signedMessage.ts';
import { nodeVerifier } from '../platform/nodeVerify.ts';
import { CliError, type Home } from './home.ts';
import { unlockKeys } from './identity.ts';
import type { Output } from './output.ts';
import { readStdin } from './prompt.ts';

export const SIGN_USAGE = `Signed messages (docs/keys.md)
  sign [TEXT] [--file PATH]         sign a text with this identity (TEXT, the file, or stdin)
                                    and print a block anyone can check
  verify [BLOCK] [--file PATH] [--from ADDRESS]
                                    check a signed block (BLOCK, the file, or stdin); with
                                    --from, also that ADDRESS signed it. Needs no identity`;

/** The one text a command reads: its argument, a file, or stdin, and never two of them. */
async function inputOf(positionals: string[], file: unknown, what: string): Promise<string> {
  if (positionals.length > 1)
    throw new CliError(`give the ${what} as one argument: put it in quotes, or use --file`);
  const [text] = positionals;
  if (text !== undefined && typeof file === 'string')
    throw new CliError(`give the ${what} either as an argument or with --file, not both`);
  if (typeof file === 'string') {
    try {
      // Editors on Windows start a UTF-8 file with a byte-order mark: not part of the text.
      return (await readFile(file, 'utf8')).replace(/^\uFEFF/, '');
    } catch (error) {
      throw new CliError(`cannot read ${file}: ${(error as Error).message}`);
    }
  }
  if (text !== undefined) return text;
  if (process.stdin.isTTY) process.stderr.write(`Type or paste the ${what}, then press Ctrl+D:\n`);
  return readStdin();
}

function parse(args: string[], options: Record<string, { type: 'string' }>) {
  // A block begins with "-----", which parseArgs would read as an option: pass it after "--".
  const blocks = args.filter((arg) => arg.startsWith('-----'));
  const rest = args.filter((arg) => !arg.startsWith('-----'));
  const all =
    blocks.length === 0 ? args : [...rest, ...(rest.includes('--') ? [] : ['--']), ...blocks];
  try {
    return parseArgs({ args: all, allowPositionals: true, strict: true, options });
  } catch (error) {
    throw new CliError((error as Error).message);
  }
}

/** The identity's own key: a device paired without the words cannot sign for the identity. */
async function identitySecret(home: Home, out: Output): Promise<Uint8Array> {
  const keys = await unlockKeys(home, out);
  if (keys.identitySecret === null)
    throw new CliError(
      'this home is a device paired without the backup words: it cannot sign for the identity (sign on a machine that has the words)',
    );
  return keys.identitySecret ?? keys.secretKey;
}

export async function sign(home: Home, args: string[], out: Output): Promise<void> {
  const { positionals, values } = parse(args, { file: { type: 'string' } });
  const text = canonicalMessage(await inputOf(positionals, values.file, 'message'));
  // A text that cannot be signed is refused before the passphrase is asked for.
  if (!text.ok) throw new CliError(text.message);
  const secret = await identitySecret(home, out);
  const made = signText(text.message, {
    publicKey: publicKeyOf(secret),
    sign: (bytes) => signMessage(secret, bytes),
  });
  if (!made.ok) throw new CliError(made.message);
  const { signed } = made;
  out.print(made.block, {
    address: signed.address,
    message: signed.message,
    signature: base64urlnopad.encode(signed.signature),
    block: made.block,
  });
}

export async function verify(args: string[], out: Output): Promise<void> {
  const { positionals, values } = parse(args, {
    file: { type: 'string' },
    from: { type: 'string' },
  });
  let expected;
  if (values.from !== undefined) {
    const parsed = parseAddress(values.from);
    if (!parsed.ok) throw new CliError(`"${values.from}" is not a valid address: ${parsed.error}`);
    expected = parsed.address;
  }
  const block = await inputOf(positionals, values.file, 'signed block');
  const result = await verifySignedMessage(block, nodeVerifier, expected);
  if (!result.ok) throw new CliError(result.message);
  const { address, message } = result.signed;
  out.print(`Good signature by ${address} on this message:\n${message}`, {
    valid: true,
    address,
    message,
  });
}
