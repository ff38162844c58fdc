// Several identities and networks in one CLI home (node/cli/homes.ts, docs/keys.md). The
// fixture one-identity-home (inProcess.ts OLD_HOME) was made by the CLI before homes.ts existed;
// it must keep its address and balance, untouched.
import { cp, mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  homeAt,
  nameProblem,
  newIdentitySlot,
  openHome,
  readLayout,
  type Layout,
} from '../../node/cli/homes.ts';
import { takeOption } from '../../node/cli/homeOptions.ts';
import { terminalQr } from '../../node/cli/card.ts';
import qrcode from 'qrcode-generator';
import { exists, inProcessGpow, OLD_ADDRESS, OLD_HOME as FIXTURE } from './inProcess.ts';

const OLD_FILES = ['identity.json', 'network.json', 'data/ledger.log', 'data/meta-own-head'];

let scratch = '';
let home = '';
afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** A fresh copy of the old-layout home for each test. */
beforeEach(async () => {
  scratch ||= await mkdtemp(join(tmpdir(), 'gpow-homes-'));
  home = await mkdtemp(join(scratch, 'h-'));
  await cp(FIXTURE, home, { recursive: true });
});

const { gpow, json, refused } = inProcessGpow(() => home);

const snapshot = (dir: string) => Promise.all(OLD_FILES.map((f) => readFile(join(dir, f))));

interface Balance {
  address: string;
  available: string | number;
}
interface Row {
  name: string;
  current: boolean;
  address: string;
  networks: { name: string; current: boolean }[];
}

describe('an old one-identity home', () => {
  it('reads as the identity "main" with its network, and writes nothing', async () => {
    expect(await readLayout(home)).toEqual({
      identities: [{ name: 'main', dir: '.' }],
      current: 'main',
    });
    expect(await openHome(home)).toEqual(homeAt(home, '.'));
    expect((await openHome(home)).networkFile).toBe(join(home, 'network.json'));
    const rows = await json<Row[]>(['identity', 'list']);
    expect(rows).toEqual([
      {
        name: 'main',
        current: true,
        address: OLD_ADDRESS,
        networks: [{ name: 'legacy', networkId: expect.any(String) as string, current: true }],
      },
    ]);
    const balance = await json<Balance>(['balance']);
    expect([balance.address, String(balance.available)]).toEqual([OLD_ADDRESS, '1000']);
    expect(await exists(join(home, 'identities.json'))).toBe(false);
  });

  it('keeps its address, balance and files when a second identity and network are added', async () => {
    const before = await snapshot(home);
    await json(['identity', 'create', '--fast-kdf', '--name', 'work']);
    await json(['network', 'create', '--name', 'side']);
    const rows = await json<Row[]>(['identity', 'list']);
    expect(rows.map((r) => [r.name, r.current, r.networks.map((n) => n.name)])).toEqual([
      ['main', false, ['legacy']],
      ['work', true, ['side']],
    ]);
    const old = await json<Balance>(['--identity', 'main', 'balance']);
    expect([old.address, String(old.available)]).toEqual([OLD_ADDRESS, '1000']);
    const work = await json<Balance>(['balance']);
    expect(work.address).not.toBe(OLD_ADDRESS);
    expect(await snapshot(home)).toEqual(before);
    const list = JSON.parse(await readFile(join(home, 'identities.json'), 'utf8')) as unknown;
    expect(list).toEqual({
      version: 1,
      current: 'work',
      identities: [
        { name: 'main', dir: '.' },
        { name: 'work', dir: 'identities/1' },
      ],
    });
  });
});

describe('identity use, rename and remove', () => {
  it('switches, renames and says what is wrong in one sentence', async () => {
    await json(['identity', 'create', '--fast-kdf', '--name', 'work']);
    expect(await refused(['identity', 'use', 'nope'])).toBe(
      'gpow: this home has no identity named "nope"; it has "main", "work"',
    );
    expect((await gpow(['identity', 'use', 'main'])).stdout).toContain(
      'Commands now act for "main".',
    );
    expect((await json<Balance>(['balance'])).address).toBe(OLD_ADDRESS);
    expect(await refused(['identity', 'rename', 'main', 'WORK'])).toBe(
      'gpow: this home already has an identity named "work"',
    );
    expect(await refused(['identity', 'rename', 'main', ''])).toBe(
      'gpow: give the identity a name that is not empty',
    );
    expect(await refused(['identity', 'rename', 'main', 'x'.repeat(49)])).toContain(
      'an identity name is at most 48 characters',
    );
    await json(['identity', 'rename', 'main', 'Personal']);
    const rows = await json<Row[]>(['identity', 'list']);
    expect(rows.map((r) => [r.name, r.current, r.address === OLD_ADDRESS])).toEqual([
      ['Personal', true, true],
      ['work', false, false],
    ]);
    // Without a name, a second identity is refused as before --name existed: a forgotten --home
    // is the likelier mistake.
    expect(await refused(['identity', 'create', '--fast-kdf'])).toBe(
      `gpow: an identity already exists in ${home}; it was left untouched. To add another one to this home, name it: gpow identity create --name NAME`,
    );
    expect(await refused(['identity', 'create', '--fast-kdf', '--name', 'personal'])).toBe(
      'gpow: this home already has an identity named "Personal"',
    );
  });

  it('refuses words it already holds, before writing anything', async () => {
    const words = (await json<{ mnemonic: string }>(['identity', 'export'])).mnemonic;
    const message = await refused(['identity', 'import', '--words', words, '--name', 'again']);
    expect(message).toBe(
      'gpow: this identity is already in this home as "main"; nothing was added',
    );
    expect(await exists(join(home, 'identities'))).toBe(false);
  });

  it('removes an identity with --yes, saying the words are the only way back', async () => {
    await json(['identity', 'create', '--fast-kdf', '--name', 'work']);
    const workDir = join(home, 'identities', '1');
    expect(await exists(join(workDir, 'identity.json'))).toBe(true);
    const removed = await gpow(['identity', 'remove', 'work', '--yes']);
    expect(removed.stderr).toContain('Its 24 backup words are then the only way back');
    expect(removed.stdout).toContain('Removed "work". Now using "main".');
    expect(await exists(workDir)).toBe(false);
    expect((await json<Balance>(['balance'])).address).toBe(OLD_ADDRESS);
    // The first identity lives at the top of the home: only its own files go.
    await json(['identity', 'create', '--fast-kdf', '--name', 'other']);
    await json(['identity', 'remove', 'main', '--yes']);
    for (const file of ['identity.json', 'network.json', 'data'])
      expect(await exists(join(home, file))).toBe(false);
    expect((await json<Row[]>(['identity', 'list'])).map((r) => r.name)).toEqual(['other']);
  });
});

describe('--network', () => {
  it('picks a network of the identity for one command, and network use for the next ones', async () => {
    await json(['network', 'create', '--name', 'beta']);
    const nets = await json<{ name: string; current: boolean }[]>(['network', 'list']);
    expect(nets.map((n) => [n.name, n.current])).toEqual([
      ['legacy', false],
      ['beta', true],
    ]);
    expect(String((await json<Balance>(['balance'])).available)).toBe('0');
    expect(String((await json<Balance>(['balance', '--network', 'legacy'])).available)).toBe(
      '1000',
    );
    expect(String((await json<Balance>(['--network=legacy', 'balance'])).available)).toBe('1000');
    expect(await refused(['balance', '--network', 'gamma'])).toBe(
      'gpow: "main" belongs to no network named "gamma"; it belongs to "legacy", "beta"',
    );
    expect(await refused(['network', 'use', 'gamma'])).toContain('it belongs to "legacy", "beta"');
    await json(['network', 'use', 'legacy']);
    expect(String((await json<Balance>(['balance'])).available)).toBe('1000');
    expect(await refused(['network', 'create', '--name', 'x', '--network', 'beta'])).toContain(
      '--network picks a network this identity already belongs to',
    );
    expect(await refused(['balance', '--network'])).toBe('gpow: --network needs a name after it');
  });
});

describe('join', () => {
  it('adds the joined network next to the one the identity has, and refreshes one it has', async () => {
    const founder = home;
    home = join(scratch, 'founder');
    await json(['identity', 'create', '--fast-kdf']);
    await json(['network', 'create', '--name', 'alpha']);
    const { invitation } = await json<{ invitation: string }>(['invite']);
    home = founder;
    expect((await gpow(['join', invitation])).stderr).toContain(
      'This network is now the current one of "main" ("gpow network use legacy" goes back).',
    );
    expect(await exists(join(home, 'networks', '1', 'network.json'))).toBe(true);
    await json(['network', 'use', 'legacy']);
    await json(['join', invitation]);
    const nets = await json<{ name: string; current: boolean }[]>(['network', 'list']);
    expect(nets.map((n) => [n.name, n.current])).toEqual([
      ['legacy', true],
      ['alpha', false],
    ]);
    expect(await exists(join(home, 'networks', '2'))).toBe(false);
    expect(String((await json<Balance>(['balance'])).available)).toBe('1000');
  });
});

describe('device join --name', () => {
  it("adds a paired identity next to the home's own, once", async () => {
    const mine = home;
    home = join(scratch, 'owner');
    await json(['identity', 'create', '--fast-kdf']);
    await json(['network', 'create', '--name', 'alpha']);
    const { link } = await json<{ link: string }>(['device', 'pair', '--name', 'phone']);
    home = mine;
    expect(await refused(['device', 'join', link, '--fast-kdf'])).toContain(
      'or add this one next to it with --name NAME',
    );
    await json(['device', 'join', link, '--fast-kdf', '--name', 'phone']);
    const rows = await json<(Row & { device?: string })[]>(['identity', 'list']);
    expect(rows.map((r) => [r.name, r.current, r.device, r.networks.map((n) => n.name)])).toEqual([
      ['main', false, undefined, ['legacy']],
      ['phone', true, 'phone', ['alpha']],
    ]);
    expect(await refused(['device', 'join', link, '--name', 'again'])).toBe(
      'gpow: this identity is already in this home as "phone"; nothing was added',
    );
    expect((await json<Balance>(['--identity', 'main', 'balance'])).address).toBe(OLD_ADDRESS);
  });
});

describe('the usage text', () => {
  it('names the key manager commands and the options that pick an identity and a network', async () => {
    const { stdout } = await gpow(['--help']);
    for (const line of [
      'Usage: gpow [--home DIR] [--identity NAME] [--network NAME] [--json]',
      'identity list',
      'identity use NAME',
      'identity rename OLD NEW',
      'identity remove NAME [--yes]',
      'identity card [NAME]',
      'identity create [--name NAME]',
      'network list',
      'network use NAME',
      'network remove NAME [--yes]',
    ])
      expect(stdout).toContain(line);
  });
});

describe('the layout', () => {
  const layout = (...names: string[]): Layout => ({
    identities: names.map((name, i) => ({ name, dir: i === 0 ? '.' : `identities/${i}` })),
    current: names[0] ?? null,
  });

  it('checks names', () => {
    expect(nameProblem('ok name', layout('main'))).toBeNull();
    expect(nameProblem('Main', layout('main'))).toBe(
      'this home already has an identity named "main"',
    );
    expect(nameProblem('Main', layout('main'), 'main')).toBeNull();
    expect(nameProblem(' x', layout())).toBe('an identity name cannot start or end with a space');
    expect(nameProblem('a\u0007b', layout())).toBe(
      'an identity name cannot hold control characters',
    );
    expect(nameProblem('x'.repeat(48), layout())).toBeNull();
  });

  it('never reuses a slot that is listed or still on disk', async () => {
    expect(await newIdentitySlot(home, layout('main', 'b'))).toBe('identities/2');
    await mkdir(join(home, 'identities', '7'), { recursive: true });
    expect(await newIdentitySlot(home, layout('main'))).toBe('identities/8');
  });

  it('says when the list is damaged, rather than guessing', async () => {
    await writeFile(join(home, 'identities.json'), '{"version":1,"current":"x","identities":[]');
    expect(await refused(['identity', 'list'])).toBe(
      `gpow: ${join(home, 'identities.json')} is not valid JSON`,
    );
    await writeFile(
      join(home, 'identities.json'),
      JSON.stringify({ version: 1, current: 'b', identities: [{ name: 'a', dir: '.' }] }),
    );
    expect(await refused(['balance'])).toBe(
      `gpow: ${join(home, 'identities.json')} is not a valid list of identities`,
    );
  });

  it('takes --identity and --network out of a command line, wherever they are', () => {
    const args = ['send', '--network', 'a', 'X', '--network=b', '5'];
    expect(takeOption(args, 'network')).toBe('b');
    expect(args).toEqual(['send', 'X', '5']);
    expect(takeOption(args, 'identity')).toBeUndefined();
  });
});

describe('identity card', () => {
  it('shows the address, the display name signed on the network and a QR of the address', async () => {
    home = join(scratch, 'card');
    await json(['identity', 'create', '--fast-kdf', '--name', 'alice']);
    const bare = await json<{ address: string; displayName: string | null }>(['identity', 'card']);
    expect(bare.displayName).toBeNull();
    await json(['network', 'create', '--name', 'n']);
    await json(['profile', 'set', '--name', 'Alice Liddell']);
    const card = await gpow(['identity', 'card']);
    expect(card.stdout).toContain('Name:    Alice Liddell');
    expect(card.stdout).toContain(`Address: ${bare.address}`);
    expect(card.stdout).toContain(terminalQr(bare.address));
    expect(await refused(['identity', 'card', 'bob'])).toBe(
      'gpow: this home has no identity named "bob"; it has "alice"',
    );
  });

  it('draws every module of the code, light on dark, two rows a line', () => {
    const text = OLD_ADDRESS;
    const qr = qrcode(0, 'M');
    qr.addData(text.toUpperCase(), 'Alphanumeric');
    qr.make();
    const count = qr.getModuleCount();
    const lines = terminalQr(text).split('\n');
    const size = count + 8;
    expect(lines).toHaveLength(Math.ceil(size / 2));
    // Read the picture back, module by module, and compare with the encoder's matrix.
    const light = (row: number, col: number) => {
      const ch = [...lines[Math.floor(row / 2)]!][col]!;
      return row % 2 === 0 ? ch === '█' || ch === '▀' : ch === '█' || ch === '▄';
    };
    for (let row = 0; row < size; row++)
      for (let col = 0; col < size; col++) {
        const inside = row >= 4 && col >= 4 && row < count + 4 && col < count + 4;
        expect(light(row, col)).toBe(!inside || !qr.isDark(row - 4, col - 4));
      }
  });
});
