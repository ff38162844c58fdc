// `gpow identity card [NAME]`: the public card of an identity, to show or hand to someone: its
// address, its display name (its signed profile on the network, docs/profiles.md) and a QR code
// of the address drawn in the terminal. Nothing on it is secret; no passphrase is asked.
import qrcode from 'qrcode-generator';
import { parseArgs } from 'node:util';
import { keyOf, type Output } from './output.ts';
import { CliError, type Home } from './home.ts';
import { findIdentity, findNetwork, homeAt, networksOf, readLayout } from './homes.ts';
import { identityFacts } from './identities.ts';
import type { ProfileResult, Wire } from '../../shared/control/contract.ts';

/** Four modules of light margin around the code, as the QR standard asks. */
const QUIET_ZONE = 4;

/**
 * The QR code of a text as lines of half blocks, two module rows per line. Light modules are
 * drawn and dark ones left blank, for the usual light-on-dark terminal: the code reads dark on
 * light, as scanners expect. An address goes in upper case (BIP-350 allows it for QR codes),
 * which the smaller alphanumeric mode encodes.
 */
export function terminalQr(text: string): string {
  const qr = qrcode(0, 'M');
  qr.addData(text.toUpperCase(), 'Alphanumeric');
  qr.make();
  const count = qr.getModuleCount();
  const size = count + 2 * QUIET_ZONE;
  const light = (row: number, col: number) => {
    const r = row - QUIET_ZONE;
    const c = col - QUIET_ZONE;
    return r < 0 || c < 0 || r >= count || c >= count || !qr.isDark(r, c);
  };
  const lines: string[] = [];
  for (let row = 0; row < size; row += 2) {
    let line = '';
    for (let col = 0; col < size; col++) {
      const top = light(row, col);
      const bottom = row + 1 < size ? light(row + 1, col) : false;
      line += top && bottom ? '█' : top ? '▀' : bottom ? '▄' : ' ';
    }
    lines.push(line);
  }
  return lines.join('\n');
}

/** The display name an identity signed on one network, or null (no profile, or not synced). */
async function displayName(home: Home, addr: string): Promise<string | null> {
  const { viaPeerOrLocal, withLocalPeer } = await import('./wallet.ts');
  const { profileOf } = await import('./profile.ts');
  try {
    const result: ProfileResult | Wire<ProfileResult> = await viaPeerOrLocal(
      home,
      'profile-show',
      { address: addr },
      () => withLocalPeer(home, (_peer, ledger) => Promise.resolve(profileOf(ledger, keyOf(addr)))),
    );
    return result.name;
  } catch {
    return null;
  }
}

export async function cardCommand(
  root: string,
  args: string[],
  chosen: string | undefined,
  out: Output,
): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { network: { type: 'string' } },
  });
  if (positionals.length > 1)
    throw new CliError('usage: gpow identity card [NAME] [--network NAME]');
  const layout = await readLayout(root);
  const name = positionals[0] ?? chosen ?? layout.current;
  if (name === null) throw new CliError('no identity here yet: run "gpow identity create" first');
  const entry = findIdentity(layout, name);
  const { address } = await identityFacts(root, entry);
  if (address === null) throw new CliError(`the keys of "${name}" cannot be read`);
  const slots = await networksOf(root, entry);
  const network =
    values.network !== undefined
      ? findNetwork(slots, values.network, `"${name}"`)
      : (slots.find((s) => s.slot === entry.network) ?? slots[0]);
  const shown = network ? await displayName(homeAt(root, entry.dir, network.slot), address) : null;
  const label =
    shown ??
    (network
      ? `(no display name on "${network.name}": "gpow profile set --name …" signs one)`
      : '(no network yet, so no display name)');
  out.print(
    `Identity card of "${name}"\nName:    ${label}\nAddress: ${address}\n\n${terminalQr(address)}`,
    { identity: name, address, displayName: shown, network: network?.name ?? null },
  );
}
