// The workspace backup (docs/keys.md, "The workspace backup"): one file that the 24 words open,
// carrying what the words alone cannot bring back (networks and their join secrets, chats,
// contacts, settings). It is sealed like the chat history at rest (shared/ssk/atRest.ts): a
// random data key in an SSK box sealed to the identity itself, so only that identity's secret
// opens it, on every platform, through the signer's existing openSskBox.
//
//   box  = sealKey(dataKey, { epoch: 2^32-1, purpose: "workspace backup" },
//                  { net: 32 zero bytes, sender: me, recipient: me })
//   ad   = CBOR { d: "GPoW/workspace-backup/v1", me, at }
//   file = CBOR { f: "gpow-workspace-backup", v: 1, me, at, box, n: 24-byte nonce,
//                 ct: XChaCha20-Poly1305(dataKey, n, CBOR payload, ad) }
//
// The all-zero network id is no network's (ids are SHA-256 digests of a genesis), so this box
// is apart from every network's keys; its purpose is checked on opening. `me` is in clear so a
// restore can say "these words are not this file's" before anything is tried.
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import * as v from 'valibot';
import { bytesEqual, utf8 } from '../bytes.ts';
import { decodeCanonical, encodeCanonical } from '../codec/cbor.ts';
import type { RandomPort } from '../ports.ts';
import {
  generateKey,
  sealKey,
  SSK_ALG_X25519_XCHACHA,
  SSK_BOX_MAX_BYTES,
  SSK_MAX_EPOCH,
  type BoxContext,
  type OpenKeyResult,
} from '../ssk/box.ts';
import { bytesOf, describeIssues, uint } from '../tx/schema.ts';
import { encodeAddress } from '../identity/address.ts';
import { payloadOf, payloadSchema, workspaceOf, type Workspace } from './workspaceSchema.ts';

export const BACKUP_FORMAT = 'gpow-workspace-backup';
export const BACKUP_VERSION = 1;
export const BACKUP_PURPOSE = 'workspace backup';
const DOMAIN = 'GPoW/workspace-backup/v1';
const NONCE_BYTES = 24;
const TAG_BYTES = 16;
/** A backup file is at most this long; a workspace that would exceed it leaves chats out. */
export const MAX_BACKUP_BYTES = 64 * 1024 * 1024;
/** What the file adds around its payload (header, box, nonce, tag), generously. */
const OVERHEAD_BYTES = 2048;

export type BackupErrorCode = 'not-backup' | 'damaged' | 'newer-version' | 'wrong-identity';

export type OpenedBackup =
  | { ok: true; workspace: Workspace; created: number }
  | { ok: false; code: BackupErrorCode; error: string };

/** Opens the backup's key box: the signer's openSskBox, or openKey with the words' secret. */
export type BoxOpener = (box: Uint8Array, ctx: BoxContext) => OpenKeyResult;

/** The box context of a backup's key: to the identity itself, under no network. */
export function backupContext(me: Uint8Array): BoxContext {
  return { network: new Uint8Array(32), sender: me, recipient: me, epoch: SSK_MAX_EPOCH };
}

function associatedData(me: Uint8Array, at: number): Uint8Array {
  return encodeCanonical({ d: DOMAIN, me, at });
}

/**
 * Seals a workspace for the identity whose public key is `me`: sealing needs no secret, so any
 * platform can keep a backup up to date without asking the signer. Throws on a workspace the
 * format cannot hold (a bug of the caller: see fitWorkspace).
 */
export function sealWorkspace(
  workspace: Workspace,
  me: Uint8Array,
  created: number,
  random: RandomPort,
): Uint8Array {
  const plaintext = encodeCanonical(payloadOf(workspace));
  const key = generateKey(random);
  const meta = {
    epoch: SSK_MAX_EPOCH,
    alg: SSK_ALG_X25519_XCHACHA as 1,
    created,
    purpose: BACKUP_PURPOSE,
  };
  const box = sealKey(key, meta, backupContext(me), random);
  const n = random.bytes(NONCE_BYTES);
  if (n.length !== NONCE_BYTES) throw new Error('the random source returned the wrong length');
  const ct = xchacha20poly1305(key, n, associatedData(me, created)).encrypt(plaintext);
  key.fill(0);
  const file = encodeCanonical({
    f: BACKUP_FORMAT,
    v: BACKUP_VERSION,
    me,
    at: created,
    box,
    n,
    ct,
  });
  if (file.length > MAX_BACKUP_BYTES) throw new Error('the workspace is too large for a backup');
  return file;
}

/**
 * The workspace as it can be backed up: when the chats would make the file too long, the
 * largest chat histories are left out (their networks are kept), and their invitations listed.
 */
export function fitWorkspace(workspace: Workspace): {
  workspace: Workspace;
  chatsLeftOut: string[];
} {
  const size = (w: Workspace) => encodeCanonical(payloadOf(w)).length + OVERHEAD_BYTES;
  let current = workspace;
  const chatsLeftOut: string[] = [];
  while (size(current) > MAX_BACKUP_BYTES) {
    const weight = (i: number) =>
      (current.networks[i]?.chats?.records ?? []).reduce((sum, r) => sum + r.length, 0);
    const heaviest = current.networks.reduce(
      (best, _n, i) => (weight(i) > weight(best) ? i : best),
      0,
    );
    const network = current.networks[heaviest];
    if (network?.chats === undefined) break;
    chatsLeftOut.push(network.invitation);
    current = {
      ...current,
      networks: current.networks.map((n, i) => (i === heaviest ? { invitation: n.invitation } : n)),
    };
  }
  return { workspace: current, chatsLeftOut };
}

const fileSchema = v.strictObject({
  f: v.literal(BACKUP_FORMAT),
  v: v.literal(BACKUP_VERSION),
  me: bytesOf(32),
  at: uint,
  box: v.pipe(
    v.instance(Uint8Array, 'expected a byte string'),
    v.check((b) => b.length <= SSK_BOX_MAX_BYTES, 'the key box is too long'),
  ),
  n: bytesOf(NONCE_BYTES),
  ct: v.pipe(
    v.instance(Uint8Array, 'expected a byte string'),
    v.check((b) => b.length >= TAG_BYTES, 'too short to hold a sealed workspace'),
  ),
});

export type BackupHeader = v.InferOutput<typeof fileSchema>;

const fail = (code: BackupErrorCode, error: string) => ({ ok: false as const, code, error });
const damaged = (why: string) =>
  fail(
    'damaged',
    `The backup file is damaged: ${why}. Save a new backup on a device that still has the workspace, or restore without it.`,
  );
const NOT_BACKUP = 'This file is not a GPoW workspace backup.';

/** Reads a backup's clear header from untrusted input, without opening it. Never throws. */
export function readBackupHeader(
  input: unknown,
): { ok: true; header: BackupHeader } | { ok: false; code: BackupErrorCode; error: string } {
  if (!(input instanceof Uint8Array) || input.length === 0) return fail('not-backup', NOT_BACKUP);
  const decoded = decodeCanonical(input, MAX_BACKUP_BYTES);
  if (!decoded.ok) {
    if (decoded.reason === 'oversized') return fail('not-backup', `${NOT_BACKUP} It is too long.`);
    // A file cut short still names its format near its start (the key "f" sorts first).
    return holds(input.subarray(0, 64), utf8(BACKUP_FORMAT))
      ? damaged('it was cut short or altered')
      : fail('not-backup', NOT_BACKUP);
  }
  const value = decoded.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return fail('not-backup', NOT_BACKUP);
  const fields = value as Record<string, unknown>;
  if (fields['f'] !== BACKUP_FORMAT) return fail('not-backup', NOT_BACKUP);
  const version = fields['v'];
  if (typeof version === 'number' && Number.isSafeInteger(version) && version > BACKUP_VERSION)
    return fail(
      'newer-version',
      `This backup was made by a newer version of GPoW (backup format ${version}; this version reads format ${BACKUP_VERSION}). Update GPoW, then restore again.`,
    );
  const parsed = v.safeParse(fileSchema, value);
  if (!parsed.success) return damaged(describeIssues(parsed.issues));
  return { ok: true, header: parsed.output };
}

/**
 * Opens a backup for the identity `me`, whose secret `openBox` uses. Never throws: a file that
 * is not a backup, damaged, from a newer version or for another identity is a sentence.
 */
export function openWorkspace(input: unknown, me: Uint8Array, openBox: BoxOpener): OpenedBackup {
  const read = readBackupHeader(input);
  if (!read.ok) return read;
  const { header } = read;
  if (!bytesEqual(header.me, me))
    return fail(
      'wrong-identity',
      `These words do not open this backup: it belongs to ${encodeAddress(header.me)}, and the words restore ${encodeAddress(me)}. Check the words, or choose the backup of this identity.`,
    );
  const opened = openBox(header.box, backupContext(me));
  if (!opened.ok) return damaged(`its key does not open (${opened.error})`);
  if (opened.meta.purpose !== BACKUP_PURPOSE || opened.meta.epoch !== SSK_MAX_EPOCH)
    return damaged('its key is not a workspace backup key');
  let plaintext: Uint8Array;
  try {
    plaintext = xchacha20poly1305(opened.key, header.n, associatedData(me, header.at)).decrypt(
      header.ct,
    );
  } catch {
    return damaged('its contents do not open: they were altered');
  } finally {
    opened.key.fill(0);
  }
  const decoded = decodeCanonical(plaintext, MAX_BACKUP_BYTES);
  if (!decoded.ok) return damaged(`its contents are malformed (${decoded.detail})`);
  const payload = v.safeParse(payloadSchema, decoded.value);
  if (!payload.success)
    return damaged(`its contents are malformed (${describeIssues(payload.issues)})`);
  return { ok: true, workspace: workspaceOf(payload.output), created: header.at };
}

function holds(haystack: Uint8Array, needle: Uint8Array): boolean {
  for (let i = 0; i + needle.length <= haystack.length; i++)
    if (bytesEqual(haystack.subarray(i, i + needle.length), needle)) return true;
  return false;
}
