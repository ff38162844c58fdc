// `gpow device join` refuses every bad pairing link with a sentence, before anything is written:
// text that is no link, a network invitation pasted by mistake, a link into a home that already
// holds an identity or another network, and links whose certificate does not match the identity
// or the network they name (made for another one, or edited).
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatPairingLink, parsePairingLink, type PairingLink } from '../../shared/net/pairing.ts';
import { cliHarness } from './cliHarness.ts';

const { gpow, json, stopAll } = cliHarness();
let dir = '';
let link = '';
let invitation = '';
let parsed: PairingLink;
let other = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gpow-device-join-'));
  const alice = join(dir, 'alice');
  const a = await json<{ address: string }>(['--home', alice, 'identity', 'create', '--fast-kdf']);
  await json([
    '--home',
    alice,
    'network',
    'create',
    '--name',
    'Pairing',
    '--alloc',
    `${a.address}=10`,
  ]);
  // Offline: no peer runs, so the link is made from the log.
  link = (await json<{ link: string }>(['--home', alice, 'device', 'pair', '--name', 'phone']))
    .link;
  invitation = (await json<{ invitation: string }>(['--home', alice, 'invite'])).invitation;
  const result = parsePairingLink(link);
  if (!result.ok) throw new Error(result.error);
  parsed = result.link;
  const carol = join(dir, 'carol');
  const c = await json<{ address: string }>(['--home', carol, 'identity', 'create', '--fast-kdf']);
  await json([
    '--home',
    carol,
    'network',
    'create',
    '--name',
    'Other',
    '--alloc',
    `${c.address}=10`,
  ]);
  other = (await json<{ invitation: string }>(['--home', carol, 'invite'])).invitation;
}, 60_000);

afterAll(async () => {
  await stopAll();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function refused(home: string, text: string, sentence: RegExp): Promise<void> {
  const result = await gpow(['--home', home, 'device', 'join', text, '--fast-kdf']);
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(sentence);
}

const files = (home: string) => readdir(home).catch(() => [] as string[]);

describe('gpow device join', () => {
  it('refuses text that is not a pairing link, and a network invitation', async () => {
    const home = join(dir, 'fresh1');
    await refused(home, 'hello', /this is not a pairing link/);
    await refused(
      home,
      invitation,
      /this is a network invitation, not a pairing link: use gpow join/,
    );
    await refused(home, `${link.slice(0, -3)}xyz`, /damaged or cut short/);
    expect(await files(home)).toEqual([]);
  });

  it('refuses a home that already holds an identity, or belongs to another network', async () => {
    await refused(join(dir, 'alice'), link, /already holds an identity; pair into a new home/);
    const elsewhere = join(dir, 'elsewhere');
    await json(['--home', elsewhere, 'join', other]);
    await refused(elsewhere, link, /already belongs to network Other, not the one in this link/);
    expect(await files(elsewhere)).toEqual(['network.json']);
  });

  it('refuses a link whose certificate is for another identity or another network', async () => {
    const home = join(dir, 'fresh2');
    // Well-formed links (their checksums recomputed) that the identity never certified.
    const otherIdentity = formatPairingLink({
      ...parsed,
      account: 'ab'.repeat(32) as typeof parsed.account,
    });
    await refused(home, otherIdentity, /not signed by the identity it names/);
    const moved = formatPairingLink({
      ...parsed,
      invitation: { ...parsed.invitation, networkId: 'cd'.repeat(32) },
    });
    await refused(home, moved, /not signed by the identity it names/);
    const renamed = formatPairingLink({
      ...parsed,
      name: 'not the name it was made for',
      allowance: 5n,
    });
    await refused(home, renamed, /not signed by the identity it names/);
    expect(await files(home)).toEqual([]);
  });

  it('makes a fresh home a device from a good link', async () => {
    const home = join(dir, 'phone');
    const result = await json<{ name: string; device: string }>([
      '--home',
      home,
      'device',
      'join',
      link,
      '--fast-kdf',
    ]);
    expect(result.name).toBe('phone');
    expect((await files(home)).sort()).toEqual(['device-info.json', 'device.json', 'network.json']);
  });
});
