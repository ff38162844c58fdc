// The commands the peer acceptance suite drives a peer with, on any platform: the same module
// runs in a Node peer process (nodeSubject.ts) and in a Chromium page (browser/main.ts), over
// the engine each platform builds. It imports only the engine and the pure core.
import { fromHex, toHex } from '../../shared/bytes.ts';
import type { KeyHex, TxId } from '../../shared/ids.ts';
import type { PeerEngine } from '../../engine/peer.ts';
import type { Market } from '../../engine/market/market.ts';
import { instanceView } from '../../shared/dnec/queries.ts';

export type Args = Record<string, unknown>;

/** What every platform's subject answers to `status`. */
export interface SubjectStatus {
  readonly address: KeyHex | null;
  readonly peers: number;
  readonly synced: boolean;
  readonly online: boolean;
  readonly counts: Record<string, number> | null;
  readonly stateRoot: string | null;
  readonly problems: readonly string[];
  /** Bytes received on the open connections, all of them together. */
  readonly bytesIn: number;
}

export function statusOf(peer: PeerEngine): SubjectStatus {
  const status = peer.status();
  const ledger = peer.ledger;
  return {
    address: status.address,
    peers: status.peers,
    synced: status.synced,
    online: status.online,
    counts: status.counts,
    stateRoot: ledger ? ledger.stateRoot() : null,
    problems: status.problems,
    bytesIn: status.links.reduce((sum, link) => sum + link.bytesIn, 0),
  };
}

/** The subject: its engine, and the market running on it (it reveals and settles for us). */
export interface SubjectPeer {
  readonly peer: PeerEngine;
  readonly market: Market | null;
}

/** Runs one command; the answer is JSON with bigints as decimal strings (see toJson). */
export async function runCommand(subject: SubjectPeer, cmd: string, args: Args): Promise<unknown> {
  const { peer } = subject;
  switch (cmd) {
    case 'status':
      return statusOf(peer);
    case 'count':
      // Cheap, for polling during a large sync (status computes the state root).
      return peer.ledger?.counts().valid ?? 0;
    case 'head':
      // The seq of an author's chain head here, -1 without one (a join polls the founder's).
      return peer.ledger?.head(args.author as KeyHex)?.seq ?? -1;
    case 'base':
      // The certified checkpoint this peer started from, or null: it holds the whole history.
      return peer.status().base;
    case 'settled':
      await peer.settled();
      return statusOf(peer);
    case 'transfer':
      return (await peer.transfer(args.to as KeyHex, BigInt(String(args.amount)))).id;
    case 'import':
      return (await peer.importTransaction(fromHex(String(args.hex)))).id;
    case 'balance':
      return (await peer.ready()).account(args.key as KeyHex);
    case 'txStatus':
      return (await peer.ready()).status(args.id as TxId);
    case 'isFinal':
      return (await peer.ready()).isFinal(args.id as TxId);
    case 'txHex': {
      const tx = (await peer.ready()).get(args.id as TxId);
      return tx ? toHex(tx.bytes) : null;
    }
    case 'offline':
      await peer.setOnline(false);
      return true;
    case 'online':
      await peer.setOnline(true);
      return true;
    case 'requestPow': {
      if (!subject.market) throw new Error('this subject runs no market');
      const data = new TextEncoder().encode(String(args.data));
      return subject.market.request({
        service: 'pow',
        job: { data, difficulty: Number(args.difficulty) },
        volume: BigInt(String(args.volume)),
      });
    }
    case 'job': {
      const view = instanceView(await peer.ready(), args.id as TxId);
      if (!view) return null;
      return { settled: view.settled?.outcome ?? null, delivered: view.delivery !== undefined };
    }
    default:
      throw new Error(`unknown command "${cmd}"`);
  }
}

/** JSON cannot carry bigints; amounts travel as decimal strings. */
export const toJson = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
