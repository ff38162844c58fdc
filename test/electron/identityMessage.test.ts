// Main signs with the identity's key, besides transactions, only a device certificate or a
// revocation's authorisation of the unlocked identity (electron/identityMessage.ts): never
// arbitrary bytes, a transaction's signing message, another identity's certificate, or a
// message in any other encoding.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { concat, fromHex } from '../../shared/bytes.ts';
import { encodeCanonical } from '../../shared/codec/cbor.ts';
import { createVerifier } from '../../shared/crypto/ed25519.ts';
import { parseAddress } from '../../shared/identity/address.ts';
import { generateMnemonic } from '../../shared/identity/mnemonic.ts';
import { keyHexOf, type KeyHex, type TxId } from '../../shared/ids.ts';
import { DEVICE_CERT_DOMAIN } from '../../shared/tx/device.ts';
import { TX_SIGNING_DOMAIN } from '../../shared/tx/envelope.ts';
import { deviceCertMessage, revokeSigningMessage } from '../../shared/wallet/devices.ts';
import { nodeBackend } from '../../node/crypto/nodeEd25519.ts';
import { nodeRandom } from '../../node/platform/nodeRandom.ts';
import {
  createIdentityVault,
  LOCKED_MESSAGE,
  type IdentityVault,
} from '../../electron/identityVault.ts';

vi.mock('electron', () => ({}));

const PASSPHRASE = 'correct horse battery staple';
const NET = 'ab'.repeat(32) as TxId;
const OTHER = 'cd'.repeat(32) as KeyHex;
const DEVICE = 'ef'.repeat(32) as KeyHex;

let dir = '';
let vault: IdentityVault;
let me: KeyHex;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gpow-identity-message-'));
  vault = createIdentityVault({
    keystorePath: join(dir, 'keystore.json'),
    random: nodeRandom,
    scryptN: 1024,
  });
  const { address } = await vault.create({
    mnemonic: generateMnemonic(nodeRandom),
    passphrase: PASSPHRASE,
  });
  const parsed = parseAddress(address);
  if (!parsed.ok) throw new Error('bad address');
  me = keyHexOf(parsed.publicKey);
  await expect(vault.unlock({ passphrase: PASSPHRASE })).resolves.toMatchObject({ ok: true });
});

afterEach(async () => {
  vault.lock();
  await rm(dir, { recursive: true, force: true });
});

const verify = (signature: Uint8Array, message: Uint8Array) =>
  createVerifier(nodeBackend).verify(signature, message, fromHex(me));

describe('signIdentityMessage', () => {
  it('signs a device certificate and a revocation of the unlocked identity', async () => {
    const cert = deviceCertMessage(NET, {
      account: me,
      key: DEVICE,
      name: 'phone',
      allowance: 100n,
    });
    expect(await verify(vault.signIdentityMessage(cert), cert)).toBe(true);
    const revoke = revokeSigningMessage(
      {
        networkId: NET,
        account: me,
        target: DEVICE,
        to: me,
        by: me,
        head: { seq: 3, id: 'aa'.repeat(32) as TxId },
        deps: [],
      },
      OTHER,
    );
    expect(await verify(vault.signIdentityMessage(revoke), revoke)).toBe(true);
  });

  it('refuses anything else, with a sentence, and while locked', () => {
    const refuse = (message: Uint8Array, why: RegExp) =>
      expect(() => vault.signIdentityMessage(message)).toThrow(why);
    refuse(
      deviceCertMessage(NET, { account: OTHER, key: DEVICE, name: 'phone', allowance: 1n }),
      /for another identity/,
    );
    refuse(
      concat(TX_SIGNING_DOMAIN, encodeCanonical({ a: 1 })),
      /neither a device certificate nor a revocation/,
    );
    refuse(Uint8Array.of(1, 2, 3), /neither a device certificate nor a revocation/);
    // An extra field, and a non-canonical (unsorted) map, under the certificate's domain.
    const extra = {
      net: fromHex(NET),
      account: fromHex(me),
      key: fromHex(DEVICE),
      name: 'x',
      allowance: 1n,
      more: 1,
    };
    refuse(concat(DEVICE_CERT_DOMAIN, encodeCanonical(extra)), /malformed/);
    const canonical = encodeCanonical({ allowance: 1n, name: 'x' });
    const unsorted = Uint8Array.from(canonical);
    refuse(concat(DEVICE_CERT_DOMAIN, unsorted.reverse()), /device certificate is/);
    vault.lock();
    expect(() =>
      vault.signIdentityMessage(
        deviceCertMessage(NET, { account: me, key: DEVICE, name: 'p', allowance: 0n }),
      ),
    ).toThrow(LOCKED_MESSAGE);
  });
});
