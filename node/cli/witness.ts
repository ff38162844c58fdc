// `gpow witness …`: the group changes its witnesses (docs/protocol.md §13).
//
//   list                      the witnesses, when each last voted, and proposed changes
//   add ADDRESS               propose adding a witness (you must be a witness)
//   remove ADDRESS            propose removing one
//   replace OLD NEW           propose replacing one (a lost laptop, someone who moved away)
//   approve CHANGE            back a change another witness proposed
//
// A change takes effect once a quorum of the current witnesses backs it. Proposing and backing
// need the running peer: its witness duty casts the votes. `list` also works on the log.
import type {
  RotateResult,
  WitnessChangeResult,
  WitnessListResult,
  Wire,
} from '../../shared/control/contract.ts';
import type { KeyHex } from '../../shared/ids.ts';
import type { Proposal } from '../../shared/ledger/epochs.ts';
import type { Ledger } from '../../shared/ledger/ledger.ts';
import { namesOf } from '../../shared/wallet/members.ts';
import { witnessReport } from '../../shared/wallet/witnessReport.ts';
import type { WitnessChange } from '../../shared/wallet/witnesses.ts';
import type { Peer } from '../peer/peer.ts';
import { CliError, type Home } from './home.ts';
import { address, keyOf, viaPeer, type Output } from './output.ts';
import { viaPeerOrLocal, withLocalPeer } from './wallet.ts';

const USAGE = 'usage: gpow witness list|add ADDRESS|remove ADDRESS|replace OLD NEW|approve CHANGE';

export async function witnessCommand(home: Home, args: string[], out: Output): Promise<void> {
  const [sub, ...rest] = args;
  switch (sub ?? '') {
    case 'list':
      return list(home, out);
    case 'add':
    case 'remove':
      if (rest.length !== 1) throw new CliError(`usage: gpow witness ${sub} ADDRESS`);
      return propose(home, out, { change: sub as 'add' | 'remove', address: rest[0] });
    case 'replace':
      if (rest.length !== 2) throw new CliError('usage: gpow witness replace OLD NEW');
      return propose(home, out, {
        change: 'replace',
        old: rest[0],
        address: rest[1],
      });
    case 'approve':
      if (rest.length !== 1) throw new CliError('usage: gpow witness approve CHANGE');
      return approve(home, out, rest[0] as string);
    default:
      throw new CliError(USAGE);
  }
}

// ---- the running peer's side -----------------------------------------------------------------

export function witnessListOn(peer: Peer): WitnessListResult {
  const ledger = peer.ledger;
  if (!ledger) throw new CliError('the network has not arrived yet');
  return witnessListOf(ledger);
}

/** The witness report, with the names of everyone it mentions who signed a profile. */
export function witnessListOf(ledger: Ledger): WitnessListResult {
  const report = witnessReport(ledger);
  const nameOf = namesOf(ledger);
  const keys = [
    ...report.witnesses.map((w) => w.key),
    ...(report.incoming ?? []),
    ...report.changes.flatMap((c) => [...c.added, ...c.removed, ...c.admit, ...c.remove]),
  ];
  const names: Record<string, string> = {};
  for (const key of keys) {
    const name = nameOf(key);
    if (name !== null) names[key] = name;
  }
  return { ...report, names };
}

export type ChangeKind = 'add' | 'remove' | 'replace' | 'admit' | 'remove-member' | 'close';

export async function proposeOn(
  peer: Peer,
  p: { change: ChangeKind; address?: string; old?: string },
): Promise<WitnessChangeResult> {
  const { tx, plan } = await peer.witnessSets.propose(changeOf(p));
  return changeResult(tx.id, plan);
}

function changeOf(p: { change: ChangeKind; address?: string; old?: string }): WitnessChange {
  if (p.change === 'close') return { kind: 'close' };
  if (p.address === undefined) throw new CliError(`"${p.change}" names an identity: its address`);
  const key = keyOf(p.address);
  if (p.change !== 'replace') return { kind: p.change, key };
  if (p.old === undefined) throw new CliError('a replacement names the witness to replace');
  return { kind: 'replace', old: keyOf(p.old), key };
}

export function rotateOn(peer: Peer): Promise<RotateResult> {
  return peer.roomKeys.rotate();
}

export function approveOn(peer: Peer, ledger: Ledger, change: string): WitnessChangeResult {
  const p: Proposal = peer.witnessSets.approve(change);
  return changeResult(p.id, { ...p, before: ledger.epochs.open.sorted });
}

function changeResult(
  id: string,
  p: Pick<Proposal, 'epoch' | 'witnesses' | 'admit' | 'remove' | 'close'> & {
    readonly before: readonly KeyHex[];
  },
): WitnessChangeResult {
  return {
    id,
    epoch: p.epoch,
    witnesses: p.witnesses.map((k) => address(k)),
    added: p.witnesses.filter((k) => !p.before.includes(k)).map((k) => address(k)),
    removed: p.before.filter((k) => !p.witnesses.includes(k)).map((k) => address(k)),
    needed: Math.ceil((2 * p.before.length) / 3),
    admit: p.admit.map((k) => address(k)),
    remove: p.remove.map((k) => address(k)),
    close: p.close,
  };
}

// ---- the commands --------------------------------------------------------------------------

async function list(home: Home, out: Output): Promise<void> {
  // Keys and ids are plain strings on the wire, as in the report itself.
  const report = (await viaPeerOrLocal(home, 'witness-list', {}, () =>
    withLocalPeer(home, (peer) => Promise.resolve(witnessListOn(peer))),
  )) as WitnessListResult;
  out.print(witnessLines(report).join('\n'), report);
}

/** `gpow witness list` for a person: every identity by its signed name, then its address. */
export function witnessLines(report: WitnessListResult): string[] {
  const who = (key: KeyHex): string => {
    const name = report.names[key];
    return name === undefined ? address(key) : `${name} ${address(key)}`;
  };
  return [
    `Witness set ${report.epoch}: payments are final once ${report.quorum} of these ${report.witnesses.length} have seen them.`,
    ...report.witnesses.map(
      (w) =>
        `  ${who(w.key)}  ${w.lastVote === null ? 'has not voted yet' : `last vote ${new Date(w.lastVote).toISOString()}`}`,
    ),
    ...(report.incoming ? [`Taking over: ${report.incoming.map(who).join(', ')}`] : []),
    ...report.changes.map(
      (c) =>
        `Change ${c.id.slice(0, 12)} (epoch ${c.epoch}, ${c.state}): ${describeChange({
          added: c.added.map(who),
          removed: c.removed.map(who),
          admit: c.admit.map(who),
          remove: c.remove.map(who),
          close: c.close,
        })}${c.state === 'proposed' ? `; backed by ${c.backers.length} of the ${c.needed} needed` : ''}`,
    ),
  ];
}

/** What a change does to witnesses and members, naming each as given. */
function describeChange(
  r: Pick<Wire<WitnessChangeResult>, 'added' | 'removed' | 'admit' | 'remove' | 'close'>,
): string {
  const members = [
    ...r.admit.map((a) => `admits ${a}`),
    ...r.remove.map((a) => `removes member ${a} (the join secret is then rotated without them)`),
    ...(r.close ? ['closes the network: only members may sign'] : []),
  ];
  const witnesses = r.added.length + r.removed.length > 0 ? [describe(r.added, r.removed)] : [];
  return [...witnesses, ...members].join(', ') || 'no change';
}

/** What a change does, in addresses. */
function describe(added: readonly string[], removed: readonly string[]): string {
  const parts = [...added.map((a) => `adds ${a}`), ...removed.map((r) => `removes ${r}`)];
  return parts.join(', ') || 'no change';
}

export async function propose(
  home: Home,
  out: Output,
  params: { change: ChangeKind; address?: string; old?: string },
): Promise<void> {
  const result = await viaPeer(home, 'witness-propose', params);
  out.print(
    `Proposed change ${result.id} for witness set ${result.epoch}: ${describeChange(result)}.\n${
      result.needed === 1
        ? 'You are the only witness it needs: it takes effect with your next votes.'
        : `It takes effect once ${result.needed} of the current witnesses back it (you already do). Ask the others to run:\n  gpow witness approve ${result.id.slice(0, 12)}`
    }`,
    result,
  );
}

async function approve(home: Home, out: Output, change: string): Promise<void> {
  const result: Wire<WitnessChangeResult> = await viaPeer(home, 'witness-approve', { change });
  out.print(
    `You back change ${result.id.slice(0, 12)} for witness set ${result.epoch}: ${describeChange(result)}.\nYour next vote says so; it takes effect once ${result.needed} of the current witnesses back it.`,
    result,
  );
}
