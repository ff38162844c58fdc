// `gpow identity …`, and unlocking the identity for the commands that sign.
import { mkdir } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { keyHexOf } from '../../shared/ids.ts';
import {
  encryptKeystore,
  MIN_SCRYPT_N,
  type KeystorePayload,
} from '../../shared/identity/keystore.ts';
import { identityFromSecret, type Identity } from '../../shared/identity/keys.ts';
import {
  generateMnemonic,
  identityFromMnemonic,
  validateMnemonic,
} from '../../shared/identity/mnemonic.ts';
import { loadKeystoreFile, type LoadKeystoreResult } from '../keystoreFile.ts';
import { saveKeystoreFile } from '../keystoreFile.ts';
import { nodeRandom } from '../platform/nodeRandom.ts';
import { CliError, type Home } from './home.ts';
import { address, type Output } from './output.ts';
import { readPassphrase, readStdin } from './prompt.ts';

/** Opens the home's keystore; a version 1 file is rewritten with its integrity hash. */
async function openKeystore(home: Home, out: Output): Promise<LoadKeystoreResult> {
  const passphrase = await readPassphrase('Passphrase: ');
  out.progress('Unlocking the identity…');
  const result = await loadKeystoreFile(home.identityFile, passphrase, { upgradeWith: nodeRandom });
  if (result.ok && result.upgradeError !== undefined) {
    out.progress(`Note: the identity file could not be upgraded: ${result.upgradeError}`);
  }
  return result;
}

function opened(result: LoadKeystoreResult): Extract<LoadKeystoreResult, { ok: true }> {
  if (result.ok) return result;
  if (result.code === 'not-found')
    throw new CliError('no identity here: run "gpow identity create" first');
  throw new CliError(result.message);
}

export async function unlock(home: Home, out: Output): Promise<Identity> {
  return identityOf(opened(await openKeystore(home, out)).payload);
}

function identityOf(payload: KeystorePayload): Identity {
  return payload.kind === 'mnemonic'
    ? identityFromMnemonic(payload.mnemonic)
    : identityFromSecret(payload.secretKey);
}

async function saveIdentity(
  home: Home,
  mnemonic: string,
  fastKdf: boolean,
  out: Output,
): Promise<Identity> {
  const passphrase = await readPassphrase('New passphrase: ', { confirm: true });
  if (passphrase.length < 8) throw new CliError('choose a passphrase of at least 8 characters');
  await mkdir(home.dir, { recursive: true, mode: 0o700 });
  out.progress('Encrypting the identity (this takes a moment)…');
  const keystore = await encryptKeystore(
    { kind: 'mnemonic', mnemonic },
    passphrase,
    nodeRandom,
    fastKdf ? { N: MIN_SCRYPT_N } : {},
  );
  try {
    await saveKeystoreFile(home.identityFile, keystore);
  } catch {
    throw new CliError(`an identity already exists in ${home.dir}; it was left untouched`);
  }
  return identityFromMnemonic(mnemonic);
}

export async function identityCommand(home: Home, args: string[], out: Output): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { words: { type: 'string' }, 'fast-kdf': { type: 'boolean' } },
  });
  const fastKdf = values['fast-kdf'] === true;
  switch (positionals[0] ?? '') {
    case 'create': {
      const mnemonic = generateMnemonic(nodeRandom);
      const identity = await saveIdentity(home, mnemonic, fastKdf, out);
      const addr = address(keyHexOf(identity.publicKey));
      out.print(
        `Identity created.\nAddress: ${addr}\n\nYour 24 backup words (write them down and keep them offline;\nanyone with them controls this identity):\n\n${mnemonic}\n`,
        { address: addr, mnemonic },
      );
      return;
    }
    case 'import': {
      const words = values.words ?? (await readStdin());
      const check = validateMnemonic(words);
      if (!check.ok) throw new CliError(check.error);
      const identity = await saveIdentity(home, check.mnemonic, fastKdf, out);
      const addr = address(keyHexOf(identity.publicKey));
      out.print(`Identity restored.\nAddress: ${addr}`, { address: addr });
      return;
    }
    case 'show': {
      const identity = await unlock(home, out);
      const addr = address(keyHexOf(identity.publicKey));
      out.print(`Address: ${addr}`, { address: addr });
      return;
    }
    case 'export': {
      const result = opened(await openKeystore(home, out));
      if (result.payload.kind !== 'mnemonic')
        throw new CliError('this identity was imported as a raw key and has no backup words');
      out.print(result.payload.mnemonic, {
        address: result.address,
        mnemonic: result.payload.mnemonic,
      });
      return;
    }
    default:
      throw new CliError('usage: gpow identity create|import|show|export');
  }
}
