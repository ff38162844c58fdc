// The wallet commands: send, balance, history, status. Each asks the running peer when there is
// one, and otherwise opens the log itself (offline use); both paths check the same way.
import { parseArgs } from 'node:util';
import { fromUtf8, utf8 } from '../../shared/bytes.ts';
import type { KeyHex, NetworkId } from '../../shared/ids.ts';
import type { Ledger } from '../../shared/ledger/ledger.ts';
import { transfersOf } from '../../shared/ledger/past.ts';
import type { TxStatus } from '../../shared/ledger/views.ts';
import { peekFieldEpoch } from '../../shared/ssk/field.ts';
import type { VerifiedTx } from '../../shared/tx/registry.ts';
import { MAX_MEMO_BYTES } from '../../shared/tx/transfer.ts';
import { budgetStatus } from '../../shared/wallet/budget.ts';
import { namesOf } from '../../shared/wallet/members.ts';
import { amountWithUnit } from '../../shared/wallet/unitText.ts';
import type { Peer } from '../peer/peer.ts';
import type {
  BalanceResult,
  ControlMethod,
  ControlParams,
  ControlResults,
  HistoryRow,
  StatusResult,
  Wire,
} from '../../shared/control/contract.ts';
import { checkpointStatus } from '../../engine/checkpointStatus.ts';
import { checkpointLine } from './checkpoint.ts';
import { controlClient, NoPeerRunning } from './control.ts';
import { CliError, readNetwork, type Home, type NetworkConfig } from './home.ts';
import { homeAddress, homeChain, unlockKeys, type HomeKeys } from './identity.ts';
import { address, amountOf, keyOf, type Output } from './output.ts';

/**
 * A memo's bytes, or a CliError when it is too long for a transfer. The one check for every
 * path (offline, through the running peer, and in the peer itself), so each gives the same
 * sentence before anything is signed or sent.
 */
export function memoBytes(memo: string | undefined, what = 'memo'): Uint8Array | undefined {
  if (memo === undefined || memo.length === 0) return undefined;
  const bytes = utf8(memo);
  if (bytes.length > MAX_MEMO_BYTES)
    throw new CliError(
      `the ${what} is ${bytes.length} bytes long; a ${what} can be at most ${MAX_MEMO_BYTES} bytes`,
    );
  return bytes;
}

const timeOf = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

/** What a peer that has no genesis yet says, instead of waiting for one without end. */
export function noGenesisSentence(network: NetworkConfig, peers: number, since: number): string {
  const name = network.name ? `"${network.name}"` : network.networkId;
  return peers === 0
    ? `No genesis yet: this peer has not reached any member of network ${name} since ${timeOf(since)}. If this lasts, check the invitation (ask for a new one).`
    : `No genesis yet: connected to ${peers} peer${peers === 1 ? '' : 's'} of network ${name}, waiting for the first sync (since ${timeOf(since)}).`;
}

/**
 * An identity's balance across all of its chains (docs/protocol.md §12), for an identity or any
 * of its devices; with `here`, this home's device chain, also what that device can spend.
 */
export function balanceOf(ledger: Ledger, key: KeyHex | null, here?: KeyHex | null): BalanceResult {
  if (!key) throw new CliError('name an address, or unlock an identity');
  const identity = ledger.identityOf(key);
  const view = ledger.identityAccount(identity);
  const device = here && here !== identity ? here : null;
  return {
    address: address(identity),
    ...view,
    ...(device ? { device: ledger.spendable(device) + ledger.creditLineOf(device) } : {}),
    unit: ledger.unit,
  };
}

export function historyOf(
  ledger: Ledger,
  key: KeyHex | null,
  limit: number,
  readPrivate?: (tx: VerifiedTx) => string | null,
): HistoryRow[] {
  if (!key) throw new CliError('name an address, or unlock an identity');
  // An identity's history is that of all its chains: its own and its devices' (§12).
  const mine = new Set(ledger.chainsOf(key));
  const nameOf = namesOf(ledger);
  const rows: HistoryRow[] = [];
  // With what a pruned log kept of this history before its checkpoint (§14.12).
  for (const { tx, to, out, status } of transfersOf(ledger, mine)) {
    const body = tx.body;
    const name = nameOf(out ? to : tx.author);
    rows.push({
      id: tx.id,
      time: tx.time,
      direction: out ? 'out' : 'in',
      counterparty: address(out ? to : tx.author),
      ...(name !== null ? { counterpartyName: name } : {}),
      amount: body.amount,
      unit: ledger.unit,
      status: status.state,
      ...noteOf(status),
      ...(body.memo ? { memo: memoText(tx, body.memo, readPrivate) } : {}),
    });
  }
  rows.sort((a, b) => b.time - a.time || (a.id < b.id ? -1 : 1));
  return rows.slice(0, Math.max(1, Math.min(limit, 10_000)));
}

/** For a payment that did not count: why, and that the money did not move. */
function noteOf(status: TxStatus): { note?: string } {
  if (status.state !== 'void' && status.state !== 'rejected') return {};
  return { note: `${status.rejection.message}; the money stayed where it was` };
}

/** A plain memo as text; a sealed one decrypted when this identity holds its key. */
function memoText(
  tx: VerifiedTx,
  memo: Uint8Array,
  readPrivate?: (tx: VerifiedTx) => string | null,
): string {
  if (!peekFieldEpoch(memo).ok) return fromUtf8(memo);
  return readPrivate?.(tx) ?? '(private)';
}

const NOT_SYNCED =
  'No genesis yet: this home has not received its network\'s genesis. Run "gpow run" until it does; if it never does, check the invitation (ask for a new one).';

/**
 * The engine on this home's log, not joining the network (offline use): reading, and authoring
 * through the same path as the running peer (engine/peer.ts), so the checks are the same,
 * never signing blind included.
 */
export async function withLocalPeer<T>(
  home: Home,
  fn: (peer: Peer, ledger: Ledger) => Promise<T>,
  keys?: HomeKeys,
): Promise<T> {
  const peer = await openLocalPeer(home, await readNetwork(home), keys);
  try {
    if (!peer.ledger) throw new CliError(NOT_SYNCED);
    return await fn(peer, peer.ledger);
  } finally {
    await peer.close();
  }
}

/**
 * The engine is loaded only here, when no peer runs: a command the running peer answers (most
 * of them) then starts in about half the time, without loading the engine and WebRTC.
 */
async function openLocalPeer(home: Home, network: NetworkConfig, keys?: HomeKeys): Promise<Peer> {
  const { Peer } = await import('../peer/peer.ts');
  return Peer.start({
    dataDir: home.dataDir,
    networkId: network.networkId as NetworkId,
    secret: network.secret,
    relays: [],
    connect: false,
    ...(keys ?? {}),
  });
}

/**
 * The running peer's answer to `method`, or, when no peer runs, the same answer computed here
 * (with bigints where the peer's went through JSON as decimal strings).
 */
export async function viaPeerOrLocal<M extends ControlMethod>(
  home: Home,
  method: M,
  params: ControlParams<M>,
  local: () => Promise<ControlResults[M] | Wire<ControlResults[M]>>,
): Promise<ControlResults[M] | Wire<ControlResults[M]>> {
  try {
    return await controlClient(home.controlSocket).call(method, params);
  } catch (error) {
    if (error instanceof NoPeerRunning) return local();
    throw error;
  }
}

export async function send(home: Home, args: string[], out: Output): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { memo: { type: 'string' }, 'private-memo': { type: 'string' } },
  });
  const [toInput, amountInput] = positionals;
  if (!toInput || !amountInput)
    throw new CliError('usage: gpow send ADDRESS AMOUNT [--memo TEXT | --private-memo TEXT]');
  const to = keyOf(toInput);
  const amount = amountOf(amountInput);
  // Checked here, before anything is sent: the same check and sentence as the peer's.
  const memo = memoBytes(values.memo);
  // Sealing only adds to it, so a private memo over the limit can never fit.
  memoBytes(values['private-memo'], 'private memo');
  const params = {
    to: toInput,
    amount: amountInput,
    ...(values.memo ? { memo: values.memo } : {}),
    ...(values['private-memo'] ? { privateMemo: values['private-memo'] } : {}),
  };
  const result = await viaPeerOrLocal(home, 'send', params, async () => {
    if (values['private-memo'])
      throw new CliError('a private memo needs the running peer: start "gpow run"');
    const keys = await unlockKeys(home, out);
    return withLocalPeer(
      home,
      async (peer, ledger) => {
        const tx = await peer.transfer(to, amount, memo);
        out.progress(
          'No peer is running: the payment is saved and will be sent when "gpow run" connects.',
        );
        return { id: tx.id, unit: ledger.unit };
      },
      keys,
    );
  });
  out.print(
    `Sent ${amountWithUnit(amount, result.unit)} to ${toInput}.\nTransaction: ${result.id}`,
    {
      id: result.id,
      amount,
      to: toInput,
      unit: result.unit,
    },
  );
}

export async function balance(home: Home, args: string[], out: Output): Promise<void> {
  const params = args[0] ? { address: args[0] } : {};
  const view = await viaPeerOrLocal(home, 'balance', params, async () => {
    const key = args[0] ? keyOf(args[0]) : await homeAddress(home, out);
    const here = args[0] ? null : await homeChain(home);
    return withLocalPeer(home, (_peer, ledger) => Promise.resolve(balanceOf(ledger, key, here)));
  });
  const money = (value: bigint | string) => amountWithUnit(value, view.unit);
  out.print(
    `Address:   ${view.address}\nAvailable: ${money(view.available)}\nPending:   ${money(view.pending)}\nTotal:     ${money(view.balance)}${view.device !== undefined ? `\nThis device can spend: ${money(view.device)} (the rest is on your other devices; see "gpow device list")` : ''}${view.frozen ? "\nFROZEN: one of this identity's chains signed conflicting transactions" : ''}`,
    view,
  );
}

export async function history(home: Home, args: string[], out: Output): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { limit: { type: 'string' } },
  });
  const limit = Number(values.limit ?? 50);
  if (!Number.isInteger(limit) || limit < 1)
    throw new CliError('--limit takes a whole number of rows, 1 or more');
  const params = { ...(positionals[0] ? { address: positionals[0] } : {}), limit };
  const rows: ReadonlyArray<HistoryRow | Wire<HistoryRow>> = await viaPeerOrLocal(
    home,
    'history',
    params,
    async () => {
      const key = positionals[0] ? keyOf(positionals[0]) : await homeAddress(home, out);
      return withLocalPeer(home, (_peer, ledger) => Promise.resolve(historyOf(ledger, key, limit)));
    },
  );
  const lines = rows.map(historyLine);
  out.print(lines.length > 0 ? lines.join('\n') : 'No transfers yet.', rows);
}

/** One row of `gpow history`: the counterparty by the name they signed, then their address. */
export function historyLine(r: HistoryRow | Wire<HistoryRow>): string {
  const who = r.counterpartyName ? `${r.counterpartyName} ${r.counterparty}` : r.counterparty;
  return `${new Date(r.time).toISOString()}  ${r.direction === 'out' ? '-' : '+'}${amountWithUnit(r.amount, r.unit)}  ${r.direction === 'out' ? 'to' : 'from'} ${who}  ${r.status}${r.note ? ` (${r.note})` : ''}`;
}

/** The status of a home whose peer is stopped, read from its log. */
async function offlineStatus(home: Home, network: NetworkConfig): Promise<StatusResult> {
  const peer = await openLocalPeer(home, network);
  try {
    const ledger = peer.ledger;
    return {
      networkId: network.networkId,
      peers: 0,
      synced: false,
      running: false,
      transactions: ledger ? ledger.counts() : null,
      stateRoot: ledger ? ledger.stateRoot() : null,
      checkpoints: ledger ? checkpointStatus(ledger) : null,
      budget: ledger ? budgetStatus(ledger) : null,
      ...(ledger ? {} : { notice: NOT_SYNCED }),
    };
  } finally {
    await peer.close();
  }
}

export async function status(home: Home, out: Output): Promise<void> {
  const network = await readNetwork(home);
  const s = await viaPeerOrLocal(home, 'status', {}, () => offlineStatus(home, network));
  const t = s.transactions;
  out.print(
    [
      `Network:  ${network.name ?? ''} ${network.networkId}`,
      `Peer:     ${s.running === false ? 'not running' : 'running'}`,
      `Peers:    ${s.peers}`,
      `Synced:   ${s.synced ? 'yes' : 'not yet'}`,
      t
        ? `Ledger:   ${t.valid} transactions, ${t.final} final, ${t.pending} pending, ${t.waiting} waiting for missing parents`
        : `Ledger:   ${s.notice ?? 'no genesis yet'}`,
      `State:    ${s.stateRoot ?? '-'}`,
      ...(t ? [checkpointLine(s.checkpoints)] : []),
      ...budgetLines(s.budget),
      ...(typeof s.base === 'number'
        ? [
            `History:  starts at checkpoint ${s.base}; the history before it is not held here (your own payments are), an archive (gpow run --archive) holds it`,
          ]
        : []),
      ...(s.problems ?? []).map((problem) => `Problem:  ${problem}`),
    ].join('\n'),
    s,
  );
}

/** The writing budget (§15), and the authors near its end: a flood shows here. */
function budgetLines(budget: StatusResult['budget']): string[] {
  if (!budget) return [];
  const pace = `one transaction per ${budget.every / 1000} s of witness time, ${budget.burst} at once`;
  return [
    `Budget:   ${pace}`,
    ...budget.strained.map(
      ({ author, name, left }) =>
        `Budget:   ${name ? `${name} (${author.slice(0, 12)}…)` : `${author.slice(0, 12)}…`} is writing at its budget's pace (${left} left now)`,
    ),
  ];
}
