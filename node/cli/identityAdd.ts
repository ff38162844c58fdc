// Adding an identity to a home (`gpow identity create|import [--name NAME]`, and `gpow device join
// LINK --name NAME`, which adds the linked identity as a device of it): the first one goes
// where a one-identity home always kept it, any other into a new slot (homes.ts).
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeAddress } from '../../shared/identity/address.ts';
import { identityFromMnemonic, validateMnemonic } from '../../shared/identity/mnemonic.ts';
import { CliError, type Home } from './home.ts';
import {
  FIRST_IDENTITY_NAME,
  holdsIdentity,
  homeAt,
  nameProblem,
  newIdentitySlot,
  readLayout,
  saveLayout,
  type Layout,
} from './homes.ts';
import { takeOption } from './homeOptions.ts';
import { parsePairingLink } from '../../shared/net/pairing.ts';
import { identityFacts } from './identities.ts';
import { address, type Output } from './output.ts';
import { readStdin } from './prompt.ts';

/**
 * `identity create|import` in a home: the first identity goes where a one-identity home always
 * kept it; any other one into a new slot, which becomes current. A failed command leaves no slot.
 */
export async function addIdentity(
  root: string,
  args: string[],
  out: Output,
  run: (home: Home, args: string[]) => Promise<void>,
  command = `identity ${args[0] ?? 'create'}`,
): Promise<void> {
  const rest = [...args];
  const given = takeOption(rest, 'name');
  const layout = await readLayout(root);
  // Without a name, a second identity is refused as it always was: the likelier mistake is a
  // forgotten --home, and scripts that count on the refusal keep it.
  if (given === undefined && layout.current !== null)
    throw new CliError(
      `an identity already exists in ${root}; it was left untouched. To add another one to this home, name it: gpow ${command} --name NAME`,
    );
  const name = given ?? FIRST_IDENTITY_NAME;
  const problem = nameProblem(name, layout);
  if (problem) throw new CliError(problem);
  if (rest[0] === 'import') await refuseKnownWords(root, layout, rest);
  if (rest[0] === 'join') await refuseKnownAccount(root, layout, rest[1]);
  const slot = await newIdentitySlot(root, layout);
  await refuseTakenSlot(root, slot);
  try {
    await run(homeAt(root, slot), rest);
  } catch (error) {
    if (slot !== '.') await rm(join(root, slot), { recursive: true, force: true });
    throw error;
  }
  // A first identity without a name keeps the home in its one-identity shape.
  if (slot === '.' && given === undefined) return;
  await saveLayout(root, {
    identities: [...layout.identities, { name, dir: slot }],
    current: name,
  });
  if (layout.current !== null)
    out.progress(
      `"${name}" is now the current identity ("gpow identity use ${layout.current}" goes back).`,
    );
}

async function refuseTakenSlot(root: string, slot: string): Promise<void> {
  if (slot !== '.' && (await holdsIdentity(join(root, slot))))
    throw new CliError(`${join(root, slot)} already holds an identity; it was left untouched`);
}

/** A pairing link for an identity this home already holds is refused before anything is written. */
async function refuseKnownAccount(root: string, layout: Layout, link: string | undefined) {
  const parsed = parsePairingLink(link);
  if (parsed.ok) await refuseKnownAddress(root, layout, address(parsed.link.account));
}

async function refuseKnownAddress(root: string, layout: Layout, mine: string): Promise<void> {
  for (const entry of layout.identities)
    if ((await identityFacts(root, entry)).address === mine)
      throw new CliError(
        `this identity is already in this home as "${entry.name}"; nothing was added`,
      );
}

/**
 * Words this home already holds are refused before any passphrase is asked or file written.
 * Words from stdin are read here and handed on as --words (in this process only).
 */
async function refuseKnownWords(root: string, layout: Layout, args: string[]): Promise<void> {
  const words = takeOption(args, 'words') ?? (await readStdin());
  args.push('--words', words);
  const check = validateMnemonic(words);
  if (!check.ok) return; // the import itself says what is wrong with them
  await refuseKnownAddress(
    root,
    layout,
    encodeAddress(identityFromMnemonic(check.mnemonic).publicKey),
  );
}
