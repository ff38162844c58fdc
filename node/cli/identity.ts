// `gpow identity …`, and unlocking the identity for the commands that sign.
import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import type { DeviceSetup } from '../../engine/devices.ts';
import { fromHex } from '../../shared/bytes.ts';
import { publicKeyOf } from '../../shared/crypto/ed25519.ts';
import { keyHexOf, type KeyHex } from '../../shared/ids.ts';
import { deviceNameProblem } from '../../shared/wallet/devices.ts';
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
import { CliError, readDeviceInfo, writeDeviceInfo, type DeviceInfo, type Home } from './home.ts';
import { address, amountOf, type Output } from './output.ts';
import { chooseNetwork, openBackupFile, restoreWorkspace } from './workspaceRestore.ts';
import { readPassphrase, readStdin } from './prompt.ts';

/** Opens the home's keystore; a version 1 file is rewritten with its integrity hash. */
async function openKeystore(
  home: Home,
  out: Output,
  passphrase?: string,
  path = home.identityFile,
): Promise<LoadKeystoreResult> {
  passphrase ??= await readPassphrase('Passphrase: ');
  out.progress('Unlocking the identity…');
  const result = await loadKeystoreFile(path, passphrase, { upgradeWith: nodeRandom });
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

/**
 * What a home signs with (docs/protocol.md §12): its identity's own chain, or a device chain,
 * with the identity's words beside it when this home holds them. One passphrase opens both.
 */
export interface HomeKeys {
  /** The key of this home's chain. */
  readonly secretKey: Uint8Array;
  /** Absent: the chain is the identity's own. Null: a device paired without the words. */
  readonly identitySecret?: Uint8Array | null;
  readonly device?: DeviceSetup;
}

export async function unlockKeys(home: Home, out: Output): Promise<HomeKeys> {
  const info = await readDeviceInfo(home);
  if (!info) return { secretKey: (await unlock(home, out)).secretKey };
  const passphrase = await readPassphrase('Passphrase: ');
  const device = opened(await openKeystore(home, out, passphrase, home.deviceFile));
  if (device.payload.kind !== 'secret-key')
    throw new CliError(`${home.deviceFile} holds no device key`);
  const words = await openKeystore(home, out, passphrase);
  if (!words.ok && words.code !== 'not-found') throw new CliError(words.message);
  return {
    secretKey: device.payload.secretKey,
    identitySecret: words.ok ? identityOf(words.payload).secretKey : null,
    device: deviceSetupOf(info),
  };
}

function deviceSetupOf(info: DeviceInfo): DeviceSetup {
  const { pairing } = info;
  return {
    account: info.account as KeyHex,
    name: info.name,
    ...(info.allowance === undefined ? {} : { allowance: BigInt(info.allowance) }),
    ...(pairing
      ? {
          pairing: {
            key: pairing.key as KeyHex,
            proof: fromHex(pairing.proof),
            cert: fromHex(pairing.cert),
            allowance: BigInt(pairing.allowance),
          },
        }
      : {}),
  };
}

/** The identity a home acts for: its own key, or the account its device certificate names. */
export async function homeAddress(home: Home, out: Output): Promise<KeyHex> {
  const info = await readDeviceInfo(home);
  return info ? (info.account as KeyHex) : keyHexOf((await unlock(home, out)).publicKey);
}

/** This home's device chain, readable without the passphrase; null on an identity's own chain. */
export async function homeChain(home: Home): Promise<KeyHex | null> {
  return ((await readDeviceInfo(home))?.key as KeyHex | undefined) ?? null;
}

/** Saves a fresh device key for this home, under the passphrase that opens its identity. */
export async function saveDeviceKey(
  home: Home,
  passphrase: string,
  fastKdf: boolean,
  info: DeviceInfo,
  secretKey: Uint8Array,
): Promise<void> {
  await saveKeystore(
    home.deviceFile,
    { kind: 'secret-key', secretKey },
    passphrase,
    fastKdf,
    `a device key already exists in ${home.dir}; it was left untouched`,
  );
  await writeDeviceInfo(home, info);
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
  passphrase?: string,
): Promise<Identity> {
  passphrase ??= await newPassphrase();
  out.progress('Encrypting the identity (this takes a moment)…');
  await saveKeystore(
    home.identityFile,
    { kind: 'mnemonic', mnemonic },
    passphrase,
    fastKdf,
    `an identity already exists in ${home.dir}; it was left untouched`,
  );
  return identityFromMnemonic(mnemonic);
}

/** Encrypts and saves a keystore file of the home; an existing file is never replaced. */
async function saveKeystore(
  path: string,
  payload: KeystorePayload,
  passphrase: string,
  fastKdf: boolean,
  exists: string,
): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const keystore = await encryptKeystore(
    payload,
    passphrase,
    nodeRandom,
    fastKdf ? { N: MIN_SCRYPT_N } : {},
  );
  try {
    await saveKeystoreFile(path, keystore);
  } catch {
    throw new CliError(exists);
  }
}

export async function newPassphrase(): Promise<string> {
  const passphrase = await readPassphrase('New passphrase: ', { confirm: true });
  if (passphrase.length < 8) throw new CliError('choose a passphrase of at least 8 characters');
  return passphrase;
}

/**
 * Restores the words as one more device of the identity (docs/protocol.md §12): the words stay
 * here to certify this device and to revoke others, and the device signs on a chain of its own,
 * so the identity's other machines go on working. `asOriginal` resumes the identity's own chain
 * instead, for the machine that lost its data while no other machine runs this identity.
 */
async function restore(
  home: Home,
  mnemonic: string,
  options: {
    fastKdf: boolean;
    asOriginal: boolean;
    deviceName: string | undefined;
    allowance: bigint;
  },
  out: Output,
): Promise<Identity> {
  const existing = await readDeviceInfo(home);
  if (existing) throw new CliError(`${home.dir} already holds a device; restore into a new home`);
  const name = options.deviceName ?? hostname().slice(0, 64);
  const problem = deviceNameProblem(name);
  if (problem) throw new CliError(problem);
  const passphrase = await newPassphrase();
  const identity = await saveIdentity(home, mnemonic, options.fastKdf, out, passphrase);
  if (options.asOriginal) return identity;
  const account = keyHexOf(identity.publicKey);
  const secret = nodeRandom.bytes(32);
  const key = keyHexOf(publicKeyOf(secret));
  await saveDeviceKey(
    home,
    passphrase,
    options.fastKdf,
    { version: 1, account, key, name, allowance: options.allowance.toString() },
    secret,
  );
  return identity;
}

export async function identityCommand(home: Home, args: string[], out: Output): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      words: { type: 'string' },
      'fast-kdf': { type: 'boolean' },
      'as-original': { type: 'boolean' },
      'device-name': { type: 'string' },
      allowance: { type: 'string' },
      backup: { type: 'string' },
      network: { type: 'string' },
    },
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
      const asOriginal = values['as-original'] === true;
      // The backup is opened with the words, and its network checked against the home, before
      // anything is written: a wrong file leaves the home as it was.
      const backup =
        values.backup === undefined
          ? null
          : await openBackupFile(values.backup, identityFromMnemonic(check.mnemonic));
      const network = backup ? await chooseNetwork(home, backup, values.network) : null;
      const identity = await restore(
        home,
        check.mnemonic,
        {
          fastKdf,
          asOriginal,
          deviceName: values['device-name'],
          allowance: values.allowance === undefined ? 0n : amountOf(values.allowance),
        },
        out,
      );
      const addr = address(keyHexOf(identity.publicKey));
      const restored = backup ? await restoreWorkspace(home, backup, network, out) : null;
      if (restored) out.progress(String(restored.text));
      out.print(
        asOriginal
          ? `Identity restored as its original device.\nAddress: ${addr}\nOnly do this when no other machine still runs this identity: it signs on the identity's own chain.`
          : `Identity restored as a new device of it.\nAddress: ${addr}\nOnce it has synced, this device certifies itself; your other devices keep working. It holds nothing until your original device tops it up. If that device is lost, run "gpow device revoke original" here to take over what it holds.`,
        { address: addr, device: !asOriginal, ...(restored ? { backup: restored } : {}) },
      );
      return;
    }
    case 'show': {
      const addr = address(await homeAddress(home, out));
      const info = await readDeviceInfo(home);
      out.print(
        info
          ? `Address: ${addr}\nThis home is the device "${info.name}" of it.`
          : `Address: ${addr}`,
        { address: addr, ...(info ? { device: info.name } : {}) },
      );
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
