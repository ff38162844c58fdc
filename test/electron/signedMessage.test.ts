// Signing a message on the desktop (docs/keys.md): the Sign panel's signBlock goes through the
// renderer's BridgeSigner to main, which signs the signed-message bytes (its domain and a 32-byte
// digest) with the identity's key, and the block verifies. Main signs nothing else under that
// domain: a shorter or longer body is refused.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { concat } from '../../shared/bytes.ts';
import type { GpowBridge } from '../../shared/bridge/contract.ts';
import { parseAddress, type Address } from '../../shared/identity/address.ts';
import { generateMnemonic } from '../../shared/identity/mnemonic.ts';
import { SIGNED_MESSAGE_DOMAIN } from '../../shared/identity/signedMessage.ts';
import { keyHexOf, type KeyHex } from '../../shared/ids.ts';
import { nodeRandom } from '../../node/platform/nodeRandom.ts';
import { BridgeSigner } from '../../renderer/runtime/signer.ts';
import { signBlock, verifyBlock } from '../../renderer/state/signedMessages.ts';
import { createIdentityVault, type IdentityVault } from '../../electron/identityVault.ts';

vi.mock('electron', () => ({}));

const PASSPHRASE = 'correct horse battery staple';
let dir = '';
let vault: IdentityVault;
let me: KeyHex;
let address = '';

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gpow-signed-message-'));
  vault = createIdentityVault({
    keystorePath: join(dir, 'keystore.json'),
    random: nodeRandom,
    scryptN: 1024,
  });
  ({ address } = await vault.create({
    mnemonic: generateMnemonic(nodeRandom),
    passphrase: PASSPHRASE,
  }));
  const parsed = parseAddress(address);
  if (!parsed.ok) throw new Error('bad address');
  me = keyHexOf(parsed.publicKey);
  await expect(vault.unlock({ passphrase: PASSPHRASE })).resolves.toMatchObject({ ok: true });
});

afterEach(async () => {
  vault.lock();
  await rm(dir, { recursive: true, force: true });
});

/** The renderer's signer, its bridge calls answered by main's vault as the IPC would. */
function desktopSigner(): BridgeSigner {
  const bridge = {
    signIdentityMessage: (message: Uint8Array) => vault.signIdentityMessage(message),
  } as unknown as GpowBridge;
  const source = new BridgeSigner(bridge);
  source.unlocked(me);
  return source;
}

describe('signed messages on the desktop', () => {
  it('main signs the Sign panel’s message, and the block verifies as this identity', async () => {
    const block = signBlock('Signed on the desktop.', desktopSigner().signer());
    const signed = await verifyBlock(block, address as Address);
    expect(signed.message).toBe('Signed on the desktop.');
    expect(signed.address).toBe(address);
  });

  it('main refuses anything under the domain but a 32-byte digest', () => {
    for (const length of [0, 31, 33, 64])
      expect(() =>
        vault.signIdentityMessage(concat(SIGNED_MESSAGE_DOMAIN, new Uint8Array(length))),
      ).toThrow(/GPoW will not sign this/);
    expect(
      vault.signIdentityMessage(concat(SIGNED_MESSAGE_DOMAIN, new Uint8Array(32))).length,
    ).toBe(64);
  });
});
