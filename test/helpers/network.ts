// Test harness: deterministic identities and a network whose transactions go through the
// real pipeline (canonical decode, schema, signature check with the native backend, ledger).
import { sha256 } from '@noble/hashes/sha2.js';
import { createVerifier, publicKeyOf } from '../../shared/crypto/ed25519.ts';
import { utf8 } from '../../shared/bytes.ts';
import { keyHexOf, type KeyHex, type TxId } from '../../shared/ids.ts';
import { Ledger, type InsertOutcome } from '../../shared/ledger/ledger.ts';
import { signTx, type UnsignedTx } from '../../shared/tx/envelope.ts';
import { genesisBody } from '../../shared/tx/genesis.ts';
import { protocolRegistry } from '../../shared/protocol.ts';
import { admitTx, type VerifiedTx } from '../../shared/tx/registry.ts';
import { composeTransfer, composeVote } from '../../shared/wallet/compose.ts';
import { nodeBackend } from '../../node/crypto/nodeEd25519.ts';

export const verifier = createVerifier(nodeBackend);
export const registry = protocolRegistry();

export interface TestIdentity {
  readonly name: string;
  readonly secret: Uint8Array;
  readonly key: KeyHex;
}

export function identity(name: string): TestIdentity {
  const secret = sha256(utf8(`gpow test identity ${name}`));
  return { name, secret, key: keyHexOf(publicKeyOf(secret)) };
}

export async function admit(bytes: Uint8Array): Promise<VerifiedTx> {
  const result = await admitTx(bytes, registry, verifier);
  if (!result.ok) throw new Error(`${result.rejection.code}: ${result.rejection.message}`);
  return result.tx;
}

export interface NetworkSpec {
  readonly founder?: TestIdentity;
  readonly witnesses: readonly TestIdentity[];
  readonly allocations: ReadonlyArray<readonly [TestIdentity, bigint]>;
  readonly creditLimit?: bigint;
  readonly name?: string;
  /** The witnesses add randomness to validator draws (docs/protocol.md §11.5). */
  readonly witnessedDraw?: boolean;
  /** Each author's writing budget (docs/protocol.md §15). */
  readonly budget?: { readonly every: number; readonly burst: number };
  /** The genesis's date (0 unless given). */
  readonly time?: number;
}

export async function genesisOf(spec: NetworkSpec): Promise<VerifiedTx> {
  const founder = spec.founder ?? spec.witnesses[0] ?? identity('founder');
  const bytes = signTx(founder.secret, {
    net: null,
    seq: 0,
    prev: null,
    deps: [],
    type: 'genesis',
    body: genesisBody({
      name: spec.name ?? 'test network',
      witnesses: spec.witnesses.map((w) => w.key),
      allocations: spec.allocations.map(([who, amount]) => [who.key, amount] as const),
      creditLimit: spec.creditLimit ?? 0n,
      ...(spec.witnessedDraw ? { witnessedDraw: true } : {}),
      ...(spec.budget ? { budget: spec.budget } : {}),
    }),
    time: spec.time ?? 0,
  });
  return admit(bytes);
}

export async function newLedger(spec: NetworkSpec): Promise<Ledger> {
  const result = Ledger.fromGenesis(await genesisOf(spec), registry);
  if (!result.ok) throw new Error(result.rejection.message);
  return result.ledger;
}

/** Signs and admits an unsigned transaction; returns the verified transaction and its bytes. */
export async function sign(who: TestIdentity, unsigned: UnsignedTx): Promise<VerifiedTx> {
  return admit(signTx(who.secret, unsigned));
}

export async function transfer(
  ledger: Ledger,
  from: TestIdentity,
  to: TestIdentity,
  amount: bigint,
): Promise<{ tx: VerifiedTx; outcome: InsertOutcome }> {
  const composed = composeTransfer(ledger, { from: from.key, to: to.key, amount, time: 1 });
  if (!composed.ok) throw new Error(`${composed.rejection.code}: ${composed.rejection.message}`);
  const tx = await sign(from, composed.tx);
  return { tx, outcome: ledger.insert(tx) };
}

export async function vote(ledger: Ledger, witness: TestIdentity): Promise<VerifiedTx | null> {
  const composed = composeVote(ledger, witness.key, 1);
  if (composed === null) return null;
  if (!composed.ok) throw new Error(composed.rejection.message);
  const tx = await sign(witness, composed.tx);
  const outcome = ledger.insert(tx);
  if (outcome.status !== 'accepted')
    throw new Error(`vote not accepted: ${JSON.stringify(outcome)}`);
  return tx;
}

/** Every witness votes until nothing new is left to vote for. */
export async function finalizeAll(
  ledger: Ledger,
  witnesses: readonly TestIdentity[],
): Promise<void> {
  for (let round = 0; round < 4; round++) for (const w of witnesses) await vote(ledger, w);
}

/** A raw unsigned transfer, bypassing the wallet's checks (to build invalid ones on purpose). */
export function rawTransfer(
  ledger: Ledger,
  position: { seq: number; prev: TxId | null },
  to: TestIdentity,
  amount: bigint,
  deps: readonly TxId[] = [],
): UnsignedTx {
  return {
    net: ledger.networkId,
    ...position,
    deps,
    type: 'transfer',
    body: { to: Uint8Array.from(Buffer.from(to.key, 'hex')), amount },
    time: 1,
  };
}
