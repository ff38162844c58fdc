// Composes the device transactions of docs/protocol.md §12: a device's certificate (the first
// transaction of its own chain) and a revocation (the one transaction of a one-time key). Every
// refusal is a sentence a person can act on. Signing happens elsewhere (the key vault): these
// functions return what must be signed.
import { fromHex } from '../bytes.ts';
import type { CborValue } from '../codec/cbor.ts';
import type { KeyHex, TxId } from '../ids.ts';
import type { Ledger } from '../ledger/ledger.ts';
import {
  certMessage,
  DEVICE_TYPE,
  MAX_DEVICE_NAME,
  REVOKE_TYPE,
  revokeMessage,
} from '../tx/device.ts';
import type { UnsignedTx } from '../tx/envelope.ts';
import { reject, type Rejection } from '../tx/rejection.ts';

export type Refusal = { ok: false; rejection: Rejection };
const refuse = (message: string): Refusal => ({
  ok: false,
  rejection: reject('invalid-body', message),
});

export interface DeviceGrant {
  readonly account: KeyHex;
  /** The key the certificate names: the device's own, or a pairing link's one-time key. */
  readonly key: KeyHex;
  readonly name: string;
  readonly allowance: bigint;
}

/** What the identity signs to certify a device (or a pairing key). */
export function deviceCertMessage(networkId: TxId, grant: DeviceGrant): Uint8Array {
  return certMessage({
    net: fromHex(networkId),
    account: fromHex(grant.account),
    key: fromHex(grant.key),
    name: grant.name,
    allowance: grant.allowance,
  });
}

/** Checks a device name as a person typed it: a clear sentence, or null when it is fine. */
export function deviceNameProblem(name: string): string | null {
  if (name.trim().length === 0) return 'a device needs a name, such as "laptop"';
  if (name.length > MAX_DEVICE_NAME)
    return `a device name has at most ${MAX_DEVICE_NAME} characters`;
  return null;
}

export interface DeviceRequest {
  readonly device: KeyHex;
  readonly account: KeyHex;
  readonly name: string;
  readonly allowance: bigint;
  readonly cert: Uint8Array;
  readonly pairing?: { readonly key: KeyHex; readonly proof: Uint8Array };
  readonly time: number;
}

/** A device's first transaction: its certificate, at seq 0 of the device key's own chain. */
export function composeDevice(
  ledger: Ledger,
  request: DeviceRequest,
): { ok: true; tx: UnsignedTx } | Refusal {
  const nameProblem = deviceNameProblem(request.name);
  if (nameProblem) return refuse(nameProblem);
  if (request.device === request.account)
    return refuse('a device needs a key of its own, not the identity key');
  if (ledger.head(request.device) || ledger.isFrozen(request.device))
    return refuse('this device key already has transactions: a device needs a fresh key');
  const known = ledger.device(request.device);
  if (known && known.account !== request.account)
    return refuse('this device key already belongs to another identity');
  const body: Record<string, CborValue> = {
    account: fromHex(request.account),
    name: request.name,
    allowance: request.allowance,
    cert: request.cert,
  };
  if (request.pairing) {
    body.pairing = fromHex(request.pairing.key);
    body.proof = request.pairing.proof;
  }
  return {
    ok: true,
    tx: {
      net: ledger.networkId,
      seq: 0,
      prev: null,
      deps: [],
      type: DEVICE_TYPE,
      body,
      time: request.time,
    },
  };
}

export interface RevokeRequest {
  readonly account: KeyHex;
  /** The chain to close: a device of the account, or the account's own chain. */
  readonly target: KeyHex;
  /** Who inherits: the account, or one of its devices. */
  readonly to: KeyHex;
  /** Who authorises: the account (its words), or one of its devices. */
  readonly by: KeyHex;
}

export interface RevokePlan extends RevokeRequest {
  readonly networkId: TxId;
  readonly head: { readonly seq: number; readonly id: TxId } | null;
  readonly deps: readonly TxId[];
}

/** Decides what a revocation names and cites, or says why it cannot be made now. */
export function planRevoke(
  ledger: Ledger,
  request: RevokeRequest,
): { ok: true; plan: RevokePlan } | Refusal {
  const { account, target, to, by } = request;
  const isMember = (key: KeyHex) => key === account || ledger.device(key)?.account === account;
  if (!isMember(target)) return refuse('that key is not a device of this identity');
  if (ledger.witnesses.has(target))
    return refuse("a witness's own chain cannot be revoked; the group replaces a witness");
  if (!isMember(to) || !isMember(by))
    return refuse('the heir and the signer must be this identity or its devices');
  if (to === target) return refuse('choose another device to inherit what the revoked one holds');
  for (const key of [to, by]) {
    if (ledger.revocationsOf(key).length > 0)
      return refuse('a revoked device can neither sign a revocation nor inherit one');
  }
  if (by !== account && (target === account || to !== account))
    return refuse(
      "a device may revoke another device only, and only back to the identity's own chain; the 24 words can do the rest",
    );
  const existing = ledger.revocationsOf(target);
  if (existing.some((r) => r.final)) return refuse('that device is already revoked');
  if (existing.length > 0)
    return refuse('a revocation of that device is already waiting for the witnesses');
  const head = ledger.finalHead(target);
  const latest = ledger.head(target);
  if (latest && latest.seq !== head?.seq) {
    return refuse(
      `that device's latest transaction (#${latest.seq}) is not final yet; try again once the witnesses have seen it`,
    );
  }
  if (target !== account && head === null)
    return refuse("that device's certificate is not final yet");
  const deps = new Set<TxId>();
  if (head) for (const id of [head.id, ...ledger.finalityProof(head.id)]) deps.add(id);
  for (const key of [to, by]) {
    const certificate = ledger.device(key);
    if (key !== account && certificate) deps.add(certificate.id);
  }
  return { ok: true, plan: { ...request, networkId: ledger.networkId, head, deps: [...deps] } };
}

/** What `plan.by` signs, for a revocation whose one-time author key is `author`. */
export function revokeSigningMessage(plan: RevokePlan, author: KeyHex): Uint8Array {
  return revokeMessage({
    net: fromHex(plan.networkId),
    author: fromHex(author),
    account: fromHex(plan.account),
    device: fromHex(plan.target),
    head: plan.head ? [plan.head.seq, fromHex(plan.head.id)] : null,
    to: fromHex(plan.to),
  });
}

/** The revocation itself, to be signed by its one-time author key. */
export function composeRevoke(plan: RevokePlan, sig: Uint8Array, time: number): UnsignedTx {
  return {
    net: plan.networkId,
    seq: 0,
    prev: null,
    deps: plan.deps,
    type: REVOKE_TYPE,
    body: {
      account: fromHex(plan.account),
      device: fromHex(plan.target),
      head: plan.head ? [plan.head.seq, fromHex(plan.head.id)] : null,
      to: fromHex(plan.to),
      by: fromHex(plan.by),
      sig,
    },
    time,
  };
}
