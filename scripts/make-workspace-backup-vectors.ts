// Writes test/vectors/workspace-backup-v1.json: known-answer vectors for the workspace backup
// (shared/wallet/workspaceBackup.ts, docs/keys.md). Each vector lists the identity's seed, the
// workspace, every random draw (a SHA-256 counter stream, as in make-ssk-vectors.ts), the
// canonical payload and the exact file; then files changed in one way, with the code a reader
// must give. Run with `node scripts/make-workspace-backup-vectors.ts`; it never replaces a file
// that differs (a format change is a new version and a new file).
// test/wallet/workspaceBackup.test.ts reproduces every vector byte for byte.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sha256 } from '@noble/hashes/sha2.js';
import { concat, fromHex, toHex, utf8 } from '../shared/bytes.ts';
import { decodeCanonical, encodeCanonical } from '../shared/codec/cbor.ts';
import { publicKeyOf } from '../shared/crypto/ed25519.ts';
import { encodeAddress } from '../shared/identity/address.ts';
import { sealWorkspace } from '../shared/wallet/workspaceBackup.ts';
import { payloadOf, type Workspace } from '../shared/wallet/workspaceSchema.ts';
import { formatInvitation } from '../shared/net/invitation.ts';
import type { RandomPort } from '../shared/ports.ts';

const RANDOM_RULE =
  'draw i (i = 0, 1, ...) is the first `length` bytes of SHA-256(utf8(seed) || uint32-big-endian(i)); `draws` lists them in the order sealWorkspace asks: data key, box ephemeral key, box nonce, file nonce';

function recordingRandom(seed: string): { random: RandomPort; draws: string[] } {
  const draws: string[] = [];
  let i = 0;
  const random: RandomPort = {
    bytes(length) {
      if (length > 32) throw new Error('vector draws are at most 32 bytes');
      const block = sha256(concat(utf8(seed), Uint8Array.of(i >>> 24, i >>> 16, i >>> 8, i)));
      i++;
      const out = block.slice(0, length);
      draws.push(toHex(out));
      return out;
    },
  };
  return { random, draws };
}

const secretA = new Uint8Array(32).fill(0x01);
const secretB = new Uint8Array(32).fill(0x02);
const A = publicKeyOf(secretA);
const B = publicKeyOf(secretB);
const created = Date.UTC(2026, 11, 7, 12, 0, 0);

const network = formatInvitation({
  networkId: toHex(sha256(utf8('GPoW workspace backup test network'))),
  secret: Buffer.from(sha256(utf8('join secret 1'))).toString('base64url'),
  relays: ['ws://127.0.0.1:4444'],
  name: 'Makerspace',
});
const other = formatInvitation({
  networkId: toHex(sha256(utf8('GPoW workspace backup second network'))),
  secret: Buffer.from(sha256(utf8('join secret 2'))).toString('base64url'),
  relays: [],
});

const workspaces: Record<string, Workspace> = {
  empty: {
    networks: [],
    contacts: [],
    settings: { relays: [], iceServers: [], theme: 'system', language: 'en' },
  },
  full: {
    networks: [
      {
        invitation: network,
        chats: { key: sha256(utf8('a chat key box')), records: [utf8('r1'), utf8('r2')] },
      },
      { invitation: other },
    ],
    contacts: [
      { address: encodeAddress(B), label: 'Bob' },
      { address: encodeAddress(A), label: 'Me, café' },
    ],
    settings: {
      relays: ['wss://relay.example.org:443'],
      iceServers: [{ urls: 'turn:turn.example.org:3478', username: 'u', credential: 'c' }],
      theme: 'dark',
      language: 'fr',
    },
  },
};

const jsonOf = (w: Workspace) => ({
  networks: w.networks.map((n) => ({
    invitation: n.invitation,
    ...(n.chats ? { chats: { key: toHex(n.chats.key), records: n.chats.records.map(toHex) } } : {}),
  })),
  contacts: w.contacts,
  settings: w.settings,
});

const valid = Object.entries(workspaces).map(([name, workspace]) => {
  const { random, draws } = recordingRandom(`workspace-backup-v1/${name}`);
  const file = sealWorkspace(workspace, A, created, random);
  return {
    name,
    created,
    workspace: jsonOf(workspace),
    draws,
    payload: toHex(encodeCanonical(payloadOf(workspace))),
    file: toHex(file),
  };
});

const base = fromHex(valid[1]!.file);
const fields = (decodeCanonical(base, base.length) as { value: Record<string, unknown> }).value;
const flipLast = (bytes: Uint8Array) => {
  const copy = Uint8Array.from(bytes);
  copy[copy.length - 1]! ^= 0x01;
  return copy;
};
const refused = [
  {
    name: 'cut short',
    file: toHex(base.subarray(0, base.length - 10)),
    code: 'damaged',
    secret: 'A',
  },
  { name: 'ciphertext altered', file: toHex(flipLast(base)), code: 'damaged', secret: 'A' },
  {
    name: 'a newer format',
    file: toHex(encodeCanonical({ f: 'gpow-workspace-backup', v: 2, me: A, future: 'x' })),
    code: 'newer-version',
    secret: 'A',
  },
  { name: 'opened with other words', file: toHex(base), code: 'wrong-identity', secret: 'B' },
  {
    name: 'header time changed (bound by the associated data)',
    file: toHex(encodeCanonical({ ...(fields as Record<string, never>), at: created + 1 })),
    code: 'damaged',
    secret: 'A',
  },
  {
    name: 'not a backup',
    file: toHex(utf8('{"hello": "world"}')),
    code: 'not-backup',
    secret: 'A',
  },
];

const output = `${JSON.stringify(
  {
    description:
      'GPoW workspace backup, format 1 (shared/wallet/workspaceBackup.ts, docs/keys.md). Made by scripts/make-workspace-backup-vectors.ts.',
    random: RANDOM_RULE,
    identities: {
      A: { secret: toHex(secretA), public: toHex(A), address: encodeAddress(A) },
      B: { secret: toHex(secretB), public: toHex(B), address: encodeAddress(B) },
    },
    valid,
    refused,
  },
  null,
  2,
)}\n`;

const path = fileURLToPath(new URL('../test/vectors/workspace-backup-v1.json', import.meta.url));
if (existsSync(path)) {
  if (readFileSync(path, 'utf8') !== output)
    throw new Error(`${path} exists and differs: a format change needs a new version`);
  console.log(`${path} is up to date`);
} else {
  writeFileSync(path, output);
  console.log(`wrote ${path}`);
}
