// Single-use and time-limited invitations (docs/protocol.md §13.9) through the real `gpow`
// command, one process per machine, over real WebRTC on 127.0.0.1. The founder's running peer
// lets in the first holder of a single-use link and refuses the next with a sentence, also after
// a restart; a reusable time-limited link lets in several; a withdrawn, expired or damaged link
// lets nobody in, and a refused join writes nothing to the home.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatTicket, parseJoinLink } from '../../shared/net/ticket.ts';
import { cliSuite, freePort, stop } from './cliHarness.ts';

const { gpow, json, run, tempDir } = cliSuite('gpow-tickets-');

type Made = { invitation: string; id: string; once: boolean };
type Row = { id: string; state: string; uses: unknown[] };
const secretOf = async (home: string) =>
  (JSON.parse(await readFile(join(home, 'network.json'), 'utf8')) as { secret: string }).secret;

describe('ticket invitations', () => {
  it('let in once, or until withdrawn, and say why not', { timeout: 150_000 }, async () => {
    const dir = await tempDir();
    const home = (name: string) => join(dir, name);
    const founder = home('founder');
    await json(['--home', founder, 'identity', 'create', '--fast-kdf']);
    await json(['--home', founder, 'network', 'create', '--name', 'Allotment']);
    const port = await freePort();
    let peer = await run(founder, ['--relay-port', port]);
    const secret = await secretOf(founder);

    const once = await json<Made>(['--home', founder, 'invite', '--once', '--expires', '1h']);
    expect(once.once).toBe(true);
    await json(['--home', home('bob'), 'join', once.invitation]);
    expect(await secretOf(home('bob'))).toBe(secret);

    const second = await gpow(['--home', home('carol'), 'join', once.invitation, '--wait', '30']);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain('was for one person and has already been used');
    expect(existsSync(join(home('carol'), 'network.json'))).toBe(false);

    // The use is kept: after a restart the door still refuses.
    await stop(peer);
    peer = await run(founder, ['--relay-port', port]);
    const again = await gpow(['--home', home('dave'), 'join', once.invitation, '--wait', '30']);
    expect(again.stderr).toContain('already been used');

    const reusable = await json<Made>(['--home', founder, 'invite', '--expires', '2h']);
    await Promise.all(
      ['erin', 'frank'].map((n) => json(['--home', home(n), 'join', reusable.invitation])),
    );
    expect(await secretOf(home('frank'))).toBe(secret);
    const { invitations } = await json<{ invitations: Row[] }>([
      '--home',
      founder,
      'invite',
      'list',
    ]);
    expect(invitations.map((r) => [r.id, r.state, r.uses.length])).toEqual([
      [once.id, 'used', 1],
      [reusable.id, 'open', 2],
    ]);

    await json(['--home', founder, 'invite', 'revoke', reusable.id]);
    const withdrawn = await gpow([
      '--home',
      home('gina'),
      'join',
      reusable.invitation,
      '--wait',
      '6',
    ]);
    expect(withdrawn.code).toBe(1);
    expect(withdrawn.stderr).toContain('nobody answered');
    expect(existsSync(join(home('gina'), 'network.json'))).toBe(false);

    // An expired link is refused at once, without the network.
    const parsed = parseJoinLink(once.invitation);
    if (!parsed.ok || parsed.link.kind !== 'ticket') throw new Error('not a ticket link');
    const expired = formatTicket({ ...parsed.link.ticket, expires: 1_700_000_000_000 });
    const late = await gpow(['--home', home('hal'), 'join', expired]);
    expect(late.stderr).toContain('this invitation expired on 2023-11-14 22:13 UTC');
    const damaged = await gpow([
      '--home',
      home('hal'),
      'join',
      once.invitation.replace('t=', 't=A'),
    ]);
    expect(damaged.stderr).toContain('damaged or incomplete');
    expect(existsSync(join(home('hal'), 'network.json'))).toBe(false);
    await stop(peer);
  });
});
