// The workspace backup codec (shared/wallet/workspaceBackup.ts): a round trip through the
// words' secret, each refusal with its code and sentence, the known-answer vectors of
// test/vectors/workspace-backup-v1.json reproduced byte for byte, and chats left out (not the
// network) when the file would be too long.
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex, utf8 } from '../../shared/bytes.ts';
import { decodeCanonical, encodeCanonical } from '../../shared/codec/cbor.ts';
import { publicKeyOf } from '../../shared/crypto/ed25519.ts';
import { encodeAddress } from '../../shared/identity/address.ts';
import { generateMnemonic, identityFromMnemonic } from '../../shared/identity/mnemonic.ts';
import {
  backupContext,
  fitWorkspace,
  MAX_BACKUP_BYTES,
  openWorkspace,
  sealWorkspace,
  type BoxOpener,
} from '../../shared/wallet/workspaceBackup.ts';
import { payloadOf, type Workspace } from '../../shared/wallet/workspaceSchema.ts';
import { formatInvitation, generateJoinSecret } from '../../shared/net/invitation.ts';
import { openKey } from '../../shared/ssk/box.ts';
import type { RandomPort } from '../../shared/ports.ts';
import { deterministicRandom } from '../helpers/deterministicRandom.ts';
import file from '../vectors/workspace-backup-v1.json' with { type: 'json' };

const opener =
  (secret: Uint8Array): BoxOpener =>
  (box, ctx) =>
    openKey(box, secret, ctx);
const random = deterministicRandom('workspace backup test');
const words = generateMnemonic(random);
const me = identityFromMnemonic(words);
const other = identityFromMnemonic(generateMnemonic(random));

const invitation = (name: string, r: RandomPort = random) =>
  formatInvitation({
    networkId: toHex(r.bytes(32)),
    secret: generateJoinSecret(r),
    relays: ['ws://127.0.0.1:4444'],
    name,
  });

const workspace: Workspace = {
  networks: [
    { invitation: invitation('Co-op'), chats: { key: utf8('box'), records: [utf8('a')] } },
  ],
  contacts: [{ address: encodeAddress(other.publicKey), label: 'Bob' }],
  settings: { relays: ['ws://10.0.0.2:4444'], iceServers: [], theme: 'dark', language: 'en' },
};

describe('the workspace backup', () => {
  it('comes back whole with the words that made it, and says when it was made', () => {
    const bytes = sealWorkspace(workspace, me.publicKey, 1234, random);
    const opened = openWorkspace(bytes, me.publicKey, opener(me.secretKey));
    expect(opened).toEqual({ ok: true, workspace, created: 1234 });
  });

  it('holds no secret in clear: not the join secret, a label or a relay', () => {
    const bytes = sealWorkspace(workspace, me.publicKey, 1, random);
    const text = Buffer.from(bytes).toString('latin1');
    for (const clear of ['Bob', 'Co-op', 'secret=', '10.0.0.2', 'gpow:join'])
      expect(text).not.toContain(clear);
  });

  it('refuses other words, naming both addresses, before trying anything', () => {
    const bytes = sealWorkspace(workspace, me.publicKey, 1, random);
    let asked = false;
    const opened = openWorkspace(bytes, other.publicKey, (box, ctx) => {
      asked = true;
      return openKey(box, other.secretKey, ctx);
    });
    expect(opened).toMatchObject({ ok: false, code: 'wrong-identity' });
    expect(asked).toBe(false);
    if (opened.ok) return;
    expect(opened.error).toContain(encodeAddress(me.publicKey));
    expect(opened.error).toContain(encodeAddress(other.publicKey));
  });

  it('calls a file whose key the words cannot open damaged (its owner field was swapped)', () => {
    const bytes = sealWorkspace(workspace, me.publicKey, 1, random);
    const fields = decoded(bytes);
    const swapped = encodeCanonical({ ...fields, me: other.publicKey });
    const opened = openWorkspace(swapped, other.publicKey, opener(other.secretKey));
    expect(opened).toMatchObject({ ok: false, code: 'damaged' });
  });

  it('refuses a key box of another purpose (a chat history key) as damaged', () => {
    const bytes = sealWorkspace(workspace, me.publicKey, 1, random);
    const opened = openWorkspace(bytes, me.publicKey, (box, ctx) => {
      const result = openKey(box, me.secretKey, ctx);
      return result.ok ? { ...result, meta: { ...result.meta, purpose: 'chat history' } } : result;
    });
    expect(opened).toMatchObject({ ok: false, code: 'damaged' });
    if (!opened.ok) expect(opened.error).toMatch(/not a workspace backup key/);
  });

  it('refuses every single-byte change and every cut', () => {
    const bytes = sealWorkspace(workspace, me.publicKey, 1, random);
    for (let i = 0; i < bytes.length; i++) {
      const changed = Uint8Array.from(bytes);
      changed[i]! ^= 0x40;
      const opened = openWorkspace(changed, me.publicKey, opener(me.secretKey));
      expect(opened.ok, `byte ${i}`).toBe(false);
    }
    // Cut before its format name is whole, a file cannot be told from any other: refused all the same.
    for (const length of [1, 10])
      expect(openWorkspace(bytes.subarray(0, length), me.publicKey, opener(me.secretKey)).ok).toBe(
        false,
      );
    for (const length of [30, bytes.length / 2, bytes.length - 1]) {
      const opened = openWorkspace(bytes.subarray(0, length), me.publicKey, opener(me.secretKey));
      expect(opened).toMatchObject({ ok: false, code: 'damaged' });
    }
  });

  it('says a file from a newer version is newer, and other files are not backups', () => {
    const newer = encodeCanonical({ f: 'gpow-workspace-backup', v: 7, me: me.publicKey });
    const opened = openWorkspace(newer, me.publicKey, opener(me.secretKey));
    expect(opened).toMatchObject({ ok: false, code: 'newer-version' });
    if (!opened.ok) expect(opened.error).toMatch(/newer version of GPoW \(backup format 7/);
    for (const junk of [new Uint8Array(), utf8('hello'), encodeCanonical({ f: 'x' }), 'text'])
      expect(openWorkspace(junk, me.publicKey, opener(me.secretKey))).toMatchObject({
        code: 'not-backup',
      });
  });

  it('refuses contents that open but do not parse (a well-sealed bad payload)', () => {
    const bytes = sealWorkspace(workspace, me.publicKey, 1, random);
    const fields = decoded(bytes);
    const boxed = openKey(fields.box, me.secretKey, backupContext(me.publicKey));
    if (!boxed.ok) throw new Error(boxed.error);
    const ad = encodeCanonical({ d: 'GPoW/workspace-backup/v1', me: me.publicKey, at: 1 });
    const n = random.bytes(24);
    const payload = encodeCanonical({ networks: [{ invitation: 'gpow:join?v=2' }], contacts: [] });
    const ct = xchacha20poly1305(boxed.key, n, ad).encrypt(payload);
    const opened = openWorkspace(
      encodeCanonical({ ...fields, n, ct }),
      me.publicKey,
      opener(me.secretKey),
    );
    expect(opened).toMatchObject({ ok: false, code: 'damaged' });
    if (!opened.ok) expect(opened.error).toMatch(/contents are malformed/);
  });

  it('leaves the largest chat history out when the file would be too long, never a network', () => {
    const record = new Uint8Array(1 << 20);
    const big: Workspace = {
      ...workspace,
      networks: [
        {
          invitation: invitation('Big'),
          chats: { key: utf8('k'), records: Array(70).fill(record) },
        },
        { invitation: invitation('Small'), chats: { key: utf8('k'), records: [utf8('hi')] } },
      ],
    };
    const fitted = fitWorkspace(big);
    expect(fitted.chatsLeftOut).toEqual([big.networks[0]!.invitation]);
    expect(fitted.workspace.networks.map((n) => n.chats?.records.length)).toEqual([undefined, 1]);
    expect(encodeCanonical(payloadOf(fitted.workspace)).length).toBeLessThan(MAX_BACKUP_BYTES);
    expect(fitWorkspace(workspace)).toEqual({ workspace, chatsLeftOut: [] });
  });
});

describe('workspace-backup-v1 vectors', () => {
  const secretOf = (who: string) => fromHex(file.identities[who as 'A' | 'B'].secret);
  const A = publicKeyOf(secretOf('A'));

  it.each(file.valid)('$name: reproduced byte for byte, and opened', (vector) => {
    const workspace: Workspace = {
      ...vector.workspace,
      networks: vector.workspace.networks.map((n) => ({
        invitation: n.invitation,
        ...('chats' in n && n.chats
          ? { chats: { key: fromHex(n.chats.key), records: n.chats.records.map(fromHex) } }
          : {}),
      })),
    };
    const draws = [...vector.draws];
    const replay: RandomPort = { bytes: () => fromHex(draws.shift() ?? '') };
    expect(toHex(encodeCanonical(payloadOf(workspace)))).toBe(vector.payload);
    expect(toHex(sealWorkspace(workspace, A, vector.created, replay))).toBe(vector.file);
    expect(draws).toEqual([]);
    const opened = openWorkspace(fromHex(vector.file), A, opener(secretOf('A')));
    if (!opened.ok) throw new Error(opened.error);
    expect(opened.created).toBe(vector.created);
    // The canonical order (networks by id, contacts by address), the same contents.
    expect(toHex(encodeCanonical(payloadOf(opened.workspace)))).toBe(vector.payload);
  });

  it.each(file.refused)('$name: refused as $code', (vector) => {
    const secret = secretOf(vector.secret);
    const opened = openWorkspace(fromHex(vector.file), publicKeyOf(secret), opener(secret));
    expect(opened).toMatchObject({ ok: false, code: vector.code });
  });
});

function decoded(bytes: Uint8Array): Record<string, Uint8Array> {
  const result = decodeCanonical(bytes, bytes.length);
  if (!result.ok) throw new Error(result.detail);
  return { ...(result.value as Record<string, Uint8Array>) };
}
