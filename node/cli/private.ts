// Private traffic over Sustainable Symmetric Keys: `gpow ssk`, `gpow msg` and `gpow file`.
// Each needs the running peer, which holds the private channels.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CliError, type Home } from './home.ts';
import type { FileRow } from '../../shared/control/contract.ts';
import { keyOf, viaPeer, type Output } from './output.ts';

export async function sskCommand(home: Home, args: string[], out: Output): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { purpose: { type: 'string' }, 'expires-days': { type: 'string' } },
  });
  const [sub, who] = positionals;
  if (sub === 'list') {
    const rows = await viaPeer(home, 'ssk-list');
    const lines = rows.map(
      (r) =>
        `${r.partner}  epoch ${r.epoch ?? '-'} (shared by ${r.sharedBy ?? '-'})  ${r.connected > 0 ? 'connected' : 'not connected'}`,
    );
    out.print(lines.length > 0 ? lines.join('\n') : 'No keys shared yet.', rows);
    return;
  }
  if ((sub !== 'share' && sub !== 'revoke') || !who)
    throw new CliError('usage: gpow ssk share|revoke ADDRESS, or gpow ssk list');
  keyOf(who);
  if (sub === 'share') {
    const expiresDays =
      values['expires-days'] === undefined ? undefined : Number(values['expires-days']);
    if (expiresDays !== undefined && !(expiresDays > 0))
      throw new CliError('--expires-days takes a positive number');
    const r = await viaPeer(home, 'ssk-share', {
      to: who,
      ...(values.purpose ? { purpose: values.purpose } : {}),
      ...(expiresDays ? { expiresDays } : {}),
    });
    out.print(`Shared a key with ${who} (epoch ${r.epoch}).\nTransaction: ${r.id}`, r);
  } else {
    const r = await viaPeer(home, 'ssk-revoke', { to: who });
    out.print(`Revoked epoch ${r.epoch} with ${who}: it is no longer used for new messages.`, r);
  }
}

export async function msgCommand(home: Home, args: string[], out: Output): Promise<void> {
  const [sub, who, ...text] = args;
  if (!who) throw new CliError('usage: gpow msg send ADDRESS TEXT, or gpow msg read ADDRESS');
  keyOf(who);
  if (sub === 'send') {
    if (text.length === 0) throw new CliError('write a message: gpow msg send ADDRESS TEXT');
    await viaPeer(home, 'msg-send', { to: who, text: text.join(' ') });
    out.print('Sent (encrypted with your shared key).', { sent: true });
  } else if (sub === 'read') {
    const rows = await viaPeer(home, 'msg-read', { with: who });
    out.print(
      rows.length > 0
        ? rows
            .map(
              (r) =>
                `${new Date(r.time).toISOString()}  ${r.from === who ? 'them' : 'you '}: ${r.text}  [${r.state}${r.why ? `: ${r.why}` : ''}]`,
            )
            .join('\n')
        : 'No messages yet.',
      rows,
    );
  } else {
    throw new CliError('usage: gpow msg send|read ADDRESS …');
  }
}

export async function fileCommand(home: Home, args: string[], out: Output): Promise<void> {
  const [sub, who, a, b] = args;
  if (!who)
    throw new CliError('usage: gpow file send ADDRESS PATH | list ADDRESS | save ADDRESS ID PATH');
  keyOf(who);
  if (sub === 'send' && a) {
    const r = await viaPeer(home, 'file-send', {
      to: who,
      path: resolve(a),
    });
    out.print(
      `Sending ${a} (${r.size} bytes) as file ${r.id}. "gpow file list" on the other side shows progress.`,
      r,
    );
  } else if (sub === 'list') {
    const rows = await viaPeer(home, 'file-list', { with: who });
    out.print(
      rows.length > 0
        ? rows
            .map(
              (f) =>
                `${f.id}  ${f.name}  ${f.size} bytes  ${f.from === who ? 'from them' : 'from you'}  ${fileState(f)}`,
            )
            .join('\n')
        : 'No files yet.',
      rows,
    );
  } else if (sub === 'save' && a && b) {
    const r = await viaPeer(home, 'file-save', {
      with: who,
      id: a,
      path: resolve(b),
    });
    out.print(`Saved ${r.size} bytes to ${r.saved}.`, r);
  } else {
    throw new CliError('usage: gpow file send ADDRESS PATH | list ADDRESS | save ADDRESS ID PATH');
  }
}

/** Where a transfer stands: its progress while it arrives, else its state and why. */
function fileState(f: FileRow): string {
  if (f.state === 'receiving') return `${Math.floor((100 * f.received) / f.chunks)}%`;
  const kept = f.saved ? '' : ' (contents not kept here)';
  return `${f.state}${f.why ? `: ${f.why}` : ''}${kept}`;
}
