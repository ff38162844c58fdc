// Decoding pipeline for untrusted bytes: canonical CBOR -> envelope -> body (by type) ->
// signature. Only a VerifiedTx, which this module alone creates, may enter a ledger.
import * as v from 'valibot';
import type { SignatureVerifier } from '../crypto/ed25519.ts';
import {
  decodeEnvelope,
  signatureOf,
  signedMessageOf,
  type DecodeOptions,
  type DecodeResult,
  type Tx,
} from './envelope.ts';
import {
  DEVICE_TYPE,
  deviceSchema,
  innerSignaturesOf,
  REVOKE_TYPE,
  revokeSchema,
} from './device.ts';
import { CHECKPOINT_TYPE, checkpointSchema } from './checkpoint.ts';
import { genesisSchema } from './genesis.ts';
import { reject, type Rejection } from './rejection.ts';
import { describeIssues } from './schema.ts';
import type { TxTypeDef } from './types.ts';
import { voteSchema } from './vote.ts';
import { WITNESS_SET_TYPE, witnessSetSchema, witnessSetSignature } from './witnessSet.ts';

/**
 * The ledger core implements these types itself; they only need a schema here. The device types
 * are the core's because they change whose chain may spend what (docs/protocol.md §12), and the
 * checkpoint because only the core knows who is a witness when (§14).
 */
export const CORE_SCHEMAS: Readonly<Record<string, v.GenericSchema>> = {
  genesis: genesisSchema,
  vote: voteSchema,
  [DEVICE_TYPE]: deviceSchema,
  [REVOKE_TYPE]: revokeSchema,
  [WITNESS_SET_TYPE]: witnessSetSchema,
  [CHECKPOINT_TYPE]: checkpointSchema,
};

/**
 * The transaction types one network knows, beyond the core's genesis and vote. It names no
 * type itself: the protocol's composition root (shared/protocol.ts) hands it transfer, SSK and
 * DNEC, so this layer never imports the features that sit above it.
 */
export class TypeRegistry {
  readonly #types = new Map<string, TxTypeDef>();

  constructor(types: readonly TxTypeDef[]) {
    for (const type of types) this.register(type);
  }

  register(type: TxTypeDef): void {
    if (type.name in CORE_SCHEMAS || this.#types.has(type.name)) {
      throw new Error(`transaction type ${type.name} is already registered`);
    }
    this.#types.set(type.name, type);
  }

  get(name: string): TxTypeDef | undefined {
    return this.#types.get(name);
  }

  schemaOf(name: string): v.GenericSchema | undefined {
    return CORE_SCHEMAS[name] ?? this.#types.get(name)?.schema;
  }
}

/** A transaction whose encoding, body and signature have all been checked. */
export type VerifiedTx<B = unknown> = Tx<B> & { readonly __verified: true };

/** Strictly decodes untrusted input into a transaction with a parsed body. Never throws. */
export function decodeTx(
  input: unknown,
  registry: TypeRegistry,
  options?: DecodeOptions,
): DecodeResult {
  const env = decodeEnvelope(input, options);
  if (!env.ok) return env;
  const schema = registry.schemaOf(env.tx.type);
  if (!schema)
    return {
      ok: false,
      rejection: reject('unknown-type', `unknown transaction type "${env.tx.type}"`),
    };
  const body = v.safeParse(schema, env.tx.body);
  if (!body.success) {
    return {
      ok: false,
      rejection: reject('malformed', `${env.tx.type} body: ${describeIssues(body.issues)}`),
    };
  }
  return { ok: true, tx: { ...env.tx, body: body.output } };
}

export async function verifyTx(
  tx: Tx,
  verifier: SignatureVerifier,
): Promise<{ ok: true; tx: VerifiedTx } | { ok: false; rejection: Rejection }> {
  const valid = await verifier.verify(signatureOf(tx), signedMessageOf(tx), tx.authorKey);
  if (!valid)
    return {
      ok: false,
      rejection: reject('bad-signature', 'the signature does not verify for its author'),
    };
  return verifyInner(tx, verifier);
}

/**
 * Checks the signatures a transaction carries inside its body (a device certificate, a pairing
 * proof, a revocation's authorisation, a proposed witness change's proposer). Only those types
 * have any, so this costs nothing for the rest; callers that verified the envelope signature elsewhere (a thread pool) call it.
 */
export async function verifyInner(
  tx: Tx,
  verifier: SignatureVerifier,
): Promise<{ ok: true; tx: VerifiedTx } | { ok: false; rejection: Rejection }> {
  const proposal = witnessSetSignature(tx);
  const inners = proposal ? [proposal] : innerSignaturesOf(tx);
  for (const inner of inners) {
    if (!(await verifier.verify(inner.signature, inner.message, inner.publicKey))) {
      return {
        ok: false,
        rejection: reject(
          'bad-signature',
          `a signature inside the ${tx.type} body does not verify`,
        ),
      };
    }
  }
  return { ok: true, tx: tx as VerifiedTx };
}

/** decodeTx then verifyTx: the whole path from untrusted bytes to a transaction a ledger accepts. */
export async function admitTx(
  input: unknown,
  registry: TypeRegistry,
  verifier: SignatureVerifier,
): Promise<{ ok: true; tx: VerifiedTx } | { ok: false; rejection: Rejection }> {
  const decoded = decodeTx(input, registry);
  if (!decoded.ok) return decoded;
  return verifyTx(decoded.tx, verifier);
}

/**
 * Marks a decoded transaction as verified WITHOUT checking its signature. Only for records a
 * peer read back from its own durable log, covered by its checkpoint: they were verified before
 * they were written, and the log's checksums catch corruption. This is what makes restart fast.
 */
export function trustStoredTx(tx: Tx): VerifiedTx {
  return tx as VerifiedTx;
}
