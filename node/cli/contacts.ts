// `gpow contact …`: the home's address book (contacts.json), the CLI's side of the app's
// contacts. The workspace backup carries it (docs/keys.md), so a restore brings the names back.
import { readFile, rename, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as v from 'valibot';
import { parseAddress } from '../../shared/identity/address.ts';
import { MAX_BACKUP_CONTACTS, MAX_BACKUP_LABEL } from '../../shared/wallet/workspaceSchema.ts';
import { CliError, type Home } from './home.ts';
import type { Output } from './output.ts';

export interface Contact {
  readonly address: string;
  readonly label: string;
}

const contactsSchema = v.strictObject({
  version: v.literal(1),
  contacts: v.pipe(
    v.array(
      v.strictObject({
        address: v.pipe(
          v.string(),
          v.check((text) => parseAddress(text).ok),
        ),
        label: v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_BACKUP_LABEL)),
      }),
    ),
    v.maxLength(MAX_BACKUP_CONTACTS),
  ),
});

export const contactsFile = (home: Home): string => join(home.dir, 'contacts.json');

/** The home's contacts; none when there is no file. A damaged file is an error, not emptiness. */
export async function readContacts(home: Home): Promise<Contact[]> {
  let text: string;
  try {
    text = await readFile(contactsFile(home), 'utf8');
  } catch {
    return [];
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CliError(`${contactsFile(home)} is not valid JSON`);
  }
  const parsed = v.safeParse(contactsSchema, json);
  if (!parsed.success) throw new CliError(`${contactsFile(home)} is not a valid contacts file`);
  return parsed.output.contacts;
}

export async function writeContacts(home: Home, contacts: readonly Contact[]): Promise<void> {
  await mkdir(home.dir, { recursive: true, mode: 0o700 });
  const sorted = [...contacts].sort((a, b) => a.label.localeCompare(b.label));
  const temp = `${contactsFile(home)}.tmp`;
  await writeFile(temp, `${JSON.stringify({ version: 1, contacts: sorted }, null, 2)}\n`, {
    mode: 0o600,
  });
  await rename(temp, contactsFile(home));
}

const USAGE = 'usage: gpow contact list | add ADDRESS LABEL | remove ADDRESS';

export async function contactCommand(home: Home, args: string[], out: Output): Promise<void> {
  const [sub, first, ...rest] = args;
  const contacts = await readContacts(home);
  switch (sub ?? '') {
    case 'list':
      out.print(
        contacts.length === 0
          ? 'No contacts yet: "gpow contact add ADDRESS LABEL" names one.'
          : contacts.map((c) => `${c.label}\n    ${c.address}`).join('\n'),
        { contacts },
      );
      return;
    case 'add': {
      const parsed = parseAddress((first ?? '').trim());
      if (!parsed.ok) throw new CliError(`not an address: ${parsed.error}`);
      const label = rest.join(' ').trim();
      if (label === '' || [...label].length > MAX_BACKUP_LABEL)
        throw new CliError(`give the contact a name of 1 to ${MAX_BACKUP_LABEL} characters`);
      const others = contacts.filter((c) => c.address !== parsed.address);
      if (others.length >= MAX_BACKUP_CONTACTS)
        throw new CliError(`the address book is full (${MAX_BACKUP_CONTACTS} contacts)`);
      await writeContacts(home, [...others, { address: parsed.address, label }]);
      out.print(`Saved ${label}.`, { address: parsed.address, label });
      return;
    }
    case 'remove': {
      const parsed = parseAddress((first ?? '').trim());
      if (!parsed.ok) throw new CliError(`not an address: ${parsed.error}`);
      const kept = contacts.filter((c) => c.address !== parsed.address);
      if (kept.length === contacts.length) throw new CliError('no contact has that address');
      await writeContacts(home, kept);
      out.print('Removed.', { address: parsed.address });
      return;
    }
    default:
      throw new CliError(USAGE);
  }
}
