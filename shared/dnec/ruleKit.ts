// What the DNEC rules share: the sentence of a refused body, the request an action names, and
// the one-per-chain check every life-cycle action makes.
import type { TxId } from '../ids.ts';
import type { Tx } from '../tx/envelope.ts';
import { reject, type Rejection } from '../tx/rejection.ts';
import type { TypeContext } from '../tx/types.ts';
import { idOf, marketOf, type ActionKind, type RequestInfo } from './market.ts';

export const bad = (message: string): Rejection => reject('invalid-body', message);

/** The request named by an action, which must be among the action's deps or on its chain. */
export function requestFor(bytes: Uint8Array, tx: Tx, ctx: TypeContext): RequestInfo | Rejection {
  const id = idOf(bytes);
  const request = marketOf(ctx.indexes).requests.get(id);
  const reachable =
    tx.deps.includes(id) || (tx.prev !== null && ctx.ledger.isAncestorOrEqual(id, tx.prev));
  if (!request || !reachable) return bad('the request must be a valid request among the deps');
  return request;
}

export function once(
  ctx: TypeContext,
  tx: Tx,
  subject: TxId,
  kind: ActionKind,
  what: string,
): Rejection | null {
  const done = marketOf(ctx.indexes).doneOnChain(ctx.ledger, tx.author, subject, kind, tx.prev);
  return done ? bad(`${what} was already done on this chain`) : null;
}

export function record(kind: ActionKind) {
  return (tx: Tx<{ request: Uint8Array }>, ctx: TypeContext): void => {
    marketOf(ctx.indexes).recordAction(tx, idOf(tx.body.request), kind);
  };
}

export const isRejection = (value: unknown): value is Rejection =>
  typeof value === 'object' && value !== null && 'code' in value;
