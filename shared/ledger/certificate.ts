// A checkpoint's certificate (docs/protocol.md §14.9): what a peer that holds no history needs to
// trust a checkpoint's state. The checkpoint, the proposer's chain from it up to the heads the
// votes name, and votes of a quorum of distinct witnesses covering it. A quorum holds at least
// f + 1 honest witnesses, each of which computed the state before covering it (§14.3), so the
// state bytes whose root the checkpoint states are the true state of its cut.
//
// Checked against the genesis alone: the witnesses a newcomer knows are the genesis set, and a
// network whose witnesses changed has no checkpoint yet (its compaction is not built: §14.8).
import * as v from 'valibot';
import { decodeCanonical, encodeCanonical } from '../codec/cbor.ts';
import type { SignatureVerifier } from '../crypto/ed25519.ts';
import { keyHexOf, txIdOf, type KeyHex, type TxId } from '../ids.ts';
import { MAX_TX_BYTES } from '../tx/envelope.ts';
import type { GenesisBody } from '../tx/genesis.ts';
import { admitTx, type TypeRegistry, type VerifiedTx } from '../tx/registry.ts';
import { MAX_WITNESSES } from '../tx/genesis.ts';
import { describeIssues } from '../tx/schema.ts';
import type { VoteBody } from '../tx/vote.ts';
import { checkpointOf, type CheckpointRecord } from './checkpoints.ts';
import { compactRoot } from './compactCodec.ts';
import type { Ledger } from './ledger.ts';
import { quorumOf } from './votes.ts';

/** At most this many transactions of the proposer's chain between the checkpoint and a vote. */
export const MAX_CERTIFICATE_CHAIN = 256;

export interface Certificate {
  readonly checkpoint: VerifiedTx;
  /** The proposer's transactions after the checkpoint, in chain order. */
  readonly chain: readonly VerifiedTx[];
  readonly votes: readonly VerifiedTx[];
}

const txBytes = v.pipe(
  v.instance(Uint8Array, 'expected a transaction'),
  v.maxLength(MAX_TX_BYTES, 'a transaction is too large'),
);
const certificateSchema = v.strictObject({
  v: v.literal(1, 'a certificate of version 1'),
  checkpoint: txBytes,
  chain: v.pipe(v.array(txBytes), v.maxLength(MAX_CERTIFICATE_CHAIN, 'the chain is too long')),
  votes: v.pipe(v.array(txBytes), v.maxLength(MAX_WITNESSES, 'too many votes')),
});

/** The certificate of a checkpoint as bytes. */
export function encodeCertificate(c: Certificate): Uint8Array {
  return encodeCanonical({
    v: 1,
    checkpoint: c.checkpoint.bytes,
    chain: c.chain.map((tx) => tx.bytes),
    votes: c.votes.map((tx) => tx.bytes),
  });
}

type Checked<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };
const refuse = (error: string): { ok: false; error: string } => ({ ok: false, error });

/** Reads a certificate from untrusted bytes and checks every signature in it. Never throws. */
export async function decodeCertificate(
  bytes: unknown,
  registry: TypeRegistry,
  verifier: SignatureVerifier,
): Promise<Checked<Certificate>> {
  const maxBytes = (2 + MAX_CERTIFICATE_CHAIN + MAX_WITNESSES) * (MAX_TX_BYTES + 16);
  const decoded = decodeCanonical(bytes, maxBytes);
  if (!decoded.ok) return refuse(`this is not a checkpoint certificate (${decoded.detail})`);
  const parsed = v.safeParse(certificateSchema, decoded.value);
  if (!parsed.success)
    return refuse(`this is not a checkpoint certificate: ${describeIssues(parsed.issues)}`);
  const admit = async (input: Uint8Array, what: string): Promise<Checked<VerifiedTx>> => {
    const admitted = await admitTx(input, registry, verifier);
    return admitted.ok
      ? { ok: true, value: admitted.tx }
      : refuse(`${what} in the certificate is refused: ${admitted.rejection.message}`);
  };
  const checkpoint = await admit(parsed.output.checkpoint, 'the checkpoint');
  if (!checkpoint.ok) return checkpoint;
  const chain: VerifiedTx[] = [];
  for (const input of parsed.output.chain) {
    const tx = await admit(input, 'a transaction of the chain');
    if (!tx.ok) return tx;
    chain.push(tx.value);
  }
  const votes: VerifiedTx[] = [];
  for (const input of parsed.output.votes) {
    const tx = await admit(input, 'a vote');
    if (!tx.ok) return tx;
    votes.push(tx.value);
  }
  return { ok: true, value: { checkpoint: checkpoint.value, chain, votes } };
}

/**
 * Checks that a certificate certifies a checkpoint of the network of `genesis`: the checkpoint
 * by a genesis witness, its chain unbroken, and votes of a quorum of distinct genesis witnesses
 * each naming the checkpoint or a later transaction of that chain. Returns the checkpoint.
 */
export function checkCertificate(
  genesis: VerifiedTx<GenesisBody>,
  c: Certificate,
): Checked<CheckpointRecord> {
  const record = checkpointOf(c.checkpoint);
  if (!record || c.checkpoint.net !== genesis.id)
    return refuse(
      record ? 'the checkpoint belongs to another network' : 'the certificate names no checkpoint',
    );
  const witnesses = new Set<KeyHex>(genesis.body.witnesses.map((w) => keyHexOf(w)));
  if (!witnesses.has(record.author)) return refuse('the checkpoint was made by no witness');
  // The proposer's chain from the checkpoint on: each covers everything below it.
  const covering = new Map<TxId, number>([[record.id, record.seq]]);
  let last: VerifiedTx = c.checkpoint;
  for (const tx of c.chain) {
    if (tx.author !== record.author || tx.seq !== last.seq + 1 || tx.prev !== last.id)
      return refuse("the certificate's chain does not follow the checkpoint");
    covering.set(tx.id, tx.seq);
    last = tx;
  }
  const backers = new Set<KeyHex>();
  for (const vote of c.votes) {
    if (vote.type !== 'vote' || vote.net !== genesis.id || !witnesses.has(vote.author)) continue;
    const heads = (vote.body as VoteBody).heads;
    const covers = heads.some(([author, seq, id]) => {
      const named = keyHexOf(author) === record.author ? covering.get(txIdOf(id)) : undefined;
      return named !== undefined && named === seq;
    });
    if (covers) backers.add(vote.author);
  }
  const quorum = quorumOf(witnesses.size);
  if (backers.size < quorum)
    return refuse(
      `the checkpoint is certified by ${backers.size} witness${backers.size === 1 ? '' : 'es'}, and ${quorum} are needed`,
    );
  return { ok: true, value: record };
}

/** Whether `bytes` are the state the checkpoint states: its root and its size. */
export function stateMatches(checkpoint: CheckpointRecord, bytes: Uint8Array): boolean {
  return bytes.length === checkpoint.size && compactRoot(bytes) === checkpoint.root;
}

/**
 * The certificate of a certified checkpoint, from a ledger that holds it: for each witness of a
 * quorum its first vote covering it, and the proposer's chain up to the highest head they name.
 * Null when the checkpoint is not certified here.
 */
export function certificateOf(ledger: Ledger, id: TxId): Certificate | null {
  const checkpoint = ledger.get(id);
  if (!checkpoint || !ledger.isFinal(id)) return null;
  const votes = ledger.finalityProof(id, true).map((vote) => ledger.get(vote) as VerifiedTx);
  let top: TxId = id;
  let topSeq = checkpoint.seq;
  for (const vote of votes)
    for (const [author, seq, head] of (vote.body as VoteBody).heads)
      if (keyHexOf(author) === checkpoint.author && seq > topSeq) {
        top = txIdOf(head);
        topSeq = seq;
      }
  const chain: VerifiedTx[] = [];
  for (let at = ledger.get(top); at && at.id !== id; at = at.prev ? ledger.get(at.prev) : undefined)
    chain.unshift(at as VerifiedTx);
  return { checkpoint: checkpoint as VerifiedTx, chain, votes };
}
