// `gpow`: the headless peer and wallet on the command line. Human-readable output by default,
// JSON with --json; errors go to stderr with a non-zero exit code. Each group of commands lives
// in its own module; this one holds the usage text and sends each command to its module.
import { parseArgs } from 'node:util';
import { toJson } from './control.ts';
import { CliError, type Home } from './home.ts';
import { openHome, rootOf, type HomeChoice } from './homes.ts';
import { takeOption } from './homeOptions.ts';
import { identitiesCommand, IDENTITIES_USAGE } from './identities.ts';
import { addIdentity } from './identityAdd.ts';
import { NETWORK_SLOTS_USAGE, networkSlotsCommand, withNewNetwork } from './networkSlots.ts';
import { deviceCommand } from './devices.ts';
import { witnessCommand } from './witness.ts';
import { identityCommand } from './identity.ts';
import { backupCommand, BACKUP_USAGE } from './backup.ts';
import { contactCommand } from './contacts.ts';
import { MARKET_COMMANDS, MARKET_USAGE, marketCommand } from './market.ts';
import { output } from './output.ts';
import { memberCommand, profileCommand } from './profile.ts';
import { fileCommand, msgCommand, sskCommand } from './private.ts';
import { sign, SIGN_USAGE, verify } from './sign.ts';
import { balance, history, send, status } from './wallet.ts';

/**
 * The usage text. The modules that need the engine, WebRTC or a server (run, network, refound,
 * invite, relay) are loaded only by their own commands and here: a command that the running
 * peer answers (balance, send, status...) starts in about two thirds of the CPU time.
 */
async function usage(): Promise<string> {
  const [{ INVITE_USAGE }, { RUN_USAGE }, { RELAY_USAGE }] = await Promise.all([
    import('./invite.ts'),
    import('./run.ts'),
    import('./relay.ts'),
  ]);
  return `Usage: gpow [--home DIR] [--identity NAME] [--network NAME] [--json] <command> [options]

Identity (a home holds several; --identity NAME acts for one without "use")
  identity create [--name NAME] [--fast-kdf]
                                    create an identity and show its 24 backup words; in a
                                    home that has one, --name adds it and makes it current
  identity import [--name NAME] [--words "..."] [--device-name N] [--allowance A] [--as-original]
                  [--backup FILE [--network NAME]]
                                    restore an identity from its words (or stdin), as one
                                    more device of it (--as-original: resume its own chain,
                                    only when no other machine runs it); --backup also brings
                                    back its network, contacts and chats (see "gpow backup")
  identity show                     show this identity's address
  identity export                   show the backup words (asks for the passphrase)
  identity card [NAME] [--network NAME]
                                    the public card: address, display name and a QR code
${IDENTITIES_USAGE}
  device pair [--name N] [--allowance A]
                                    a gpow:pair? link that makes a new machine a device of
                                    this identity (needs the words on this one)
  device join LINK [--name NAME]    in a fresh home (or, with --name, next to this home's
                                    identities): become that identity's new device
  device list                       the identity's devices, what each holds, when last seen
  device revoke DEVICE [--to DEVICE]
                                    close a lost device (a name, an address or "original");
                                    what it held goes to the identity, or to --to
  profile set --name NAME [--note TEXT] [--avatar FILE] [--show-balance]
                                    sign your profile: how members see you
  profile show [ADDRESS]            a member's profile (yours by default)
  member list                       the members: names, roles, devices, last seen
  member admit ADDRESS              propose admitting a member (a witness; a quorum backs it)
  member remove ADDRESS             propose removing a member; once in effect the join secret
                                    is rotated without them

${SIGN_USAGE}

${BACKUP_USAGE}
  contact list | add ADDRESS LABEL | remove ADDRESS
                                    the address book (carried by the backup)

Witnesses (docs/protocol.md §13)
  witness list                      the witnesses, their last votes, proposed changes
  witness add ADDRESS               propose a new witness (as a witness; needs "gpow run")
  witness remove ADDRESS            propose removing a witness
  witness replace OLD NEW           propose replacing a lost witness
  witness approve CHANGE            back a change another witness proposed

Network
  network create --name NAME [--witness ADDR]... [--alloc ADDR=AMOUNT]... [--credit-limit N]
                 [--closed] [--unit NAME]
                                    --closed: only members sign; witnesses admit others
                                    --unit: what amounts are called ("hours"; default "units")
  network refound --witness ADDR... [--name NAME]
                                    when too many witnesses are gone for good: a new network
                                    that carries every balance over, announced here
  network follow [NETWORK]          move this home to the announced new network (peer stopped)
${NETWORK_SLOTS_USAGE}
${INVITE_USAGE}
${RUN_USAGE}
${RELAY_USAGE}

Wallet
  send ADDRESS AMOUNT [--memo TEXT] pay someone (works offline; sent when a peer is reachable)
  balance [ADDRESS]                 available, pending and total balance
  history [ADDRESS] [--limit N]     transfers in and out
  status                            peers, sync state, pending and final counts

Private traffic (Sustainable Symmetric Keys; needs the running peer)
  ssk share ADDRESS [--purpose P] [--expires-days N]   share a key (again: reset it)
  ssk revoke ADDRESS                stop using the current key for new messages
  ssk list                          keys shared, and whether the private channel is up
  msg send ADDRESS TEXT             an encrypted message
  msg read ADDRESS                  the conversation
  file send ADDRESS PATH            an encrypted file, in chunks
  file list ADDRESS                 files received, with progress
  file save ADDRESS ID PATH         save a received file
  send ADDRESS AMOUNT --private-memo TEXT   a payment whose memo only the two can read

${MARKET_USAGE}

The passphrase is read from GPOW_PASSPHRASE, or asked for on the terminal.
Home: --home, or GPOW_HOME, or ~/.gpow. One home holds several identities, each in several
networks with its own balance and data (docs/keys.md).`;
}

// ---- entry -------------------------------------------------------------------------------

export async function main(argv: string[]): Promise<number> {
  const { values, positionals, tokens } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: false,
    tokens: true,
    options: {
      home: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      identity: { type: 'string' },
      network: { type: 'string' },
    },
  });
  // Everything after the command word belongs to the command.
  const commandIndex = tokens.find((t) => t.kind === 'positional')?.index ?? argv.length;
  const rest = argv.slice(commandIndex + 1).filter((a) => a !== '--json');
  const out = output(values.json === true || argv.includes('--json'));
  const root = rootOf(typeof values.home === 'string' ? values.home : undefined);
  const [command, sub] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${await usage()}\n`);
    return command ? 0 : values.help ? 0 : 2;
  }
  try {
    const choice = homeChoice(argv.slice(0, commandIndex), command, rest);
    // Resolved only by the commands that act on a home: relay and verify need none.
    const home = (): Promise<Home> => openHome(root, choice);
    switch (command) {
      case 'identity':
        if (['list', 'use', 'rename', 'remove'].includes(sub ?? ''))
          await identitiesCommand(root, rest, out);
        else if (sub === 'card')
          await (await import('./card.ts')).cardCommand(root, rest.slice(1), choice.identity, out);
        else if (sub === 'create' || sub === 'import')
          await addIdentity(root, rest, out, (h, args) => identityCommand(h, args, out));
        else await identityCommand(await home(), rest, out);
        break;
      case 'device':
        // With --name, a pairing adds the identity next to those the home has (identityAdd.ts).
        if (sub === 'join' && rest.some((a) => a === '--name' || a.startsWith('--name=')))
          await addIdentity(
            root,
            rest,
            out,
            (h, args) => deviceCommand(h, args, out),
            'device join',
          );
        else await deviceCommand(await home(), rest, out);
        break;
      case 'backup':
        await backupCommand(await home(), rest, out);
        break;
      case 'contact':
        await contactCommand(await home(), rest, out);
        break;
      case 'witness':
        await witnessCommand(await home(), rest, out);
        break;
      case 'profile':
        await profileCommand(await home(), rest, out);
        break;
      case 'member':
        await memberCommand(await home(), rest, out);
        break;
      case 'network':
        if (sub === 'list' || sub === 'use' || sub === 'remove')
          await networkSlotsCommand(root, rest, choice, out);
        else if (sub === 'create') {
          const { networkCreate } = await import('./network.ts');
          await withNewNetwork(root, [], choice, out, (h) => networkCreate(h, rest.slice(1), out));
        } else if (sub === 'refound')
          await (await import('./refound.ts')).refound(await home(), rest.slice(1), out);
        else if (sub === 'follow')
          await (await import('./refound.ts')).follow(await home(), rest.slice(1), out);
        else
          throw new CliError(
            'usage: gpow network create|refound|follow|list|use|remove (see "gpow help")',
          );
        break;
      case 'invite':
        await (await import('./invite.ts')).invite(await home(), rest, out);
        break;
      case 'join':
        {
          const { join } = await import('./invite.ts');
          await withNewNetwork(root, rest, choice, out, (h) => join(h, rest, out));
          break;
        }
        break;
      case 'run':
        await (await import('./run.ts')).run(await home(), rest, out);
        break;
      case 'relay':
        await (await import('./relay.ts')).relay(rest, out);
        break;
      case 'send':
        await send(await home(), rest, out);
        break;
      case 'balance':
        await balance(await home(), rest, out);
        break;
      case 'history':
        await history(await home(), rest, out);
        break;
      case 'status':
        await status(await home(), out);
        break;
      case 'sign':
        await sign(await home(), rest, out);
        break;
      case 'verify':
        await verify(rest, out);
        break;
      case 'ssk':
        await sskCommand(await home(), rest, out);
        break;
      case 'msg':
        await msgCommand(await home(), rest, out);
        break;
      case 'file':
        await fileCommand(await home(), rest, out);
        break;
      default:
        if (!MARKET_COMMANDS.includes(command))
          throw new CliError(`unknown command "${command}"\n\n${await usage()}`);
        await marketCommand(await home(), command, rest, out);
    }
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(out.json ? `${toJson({ error: message })}\n` : `gpow: ${message}\n`);
    return 1;
  }
}

/**
 * Which identity and network the command acts on: --identity and --network before the command
 * word or among its own arguments (taken out of them). "identity import --backup" keeps its own
 * --network (the backup's network to restore), and "identity card" reads it itself.
 */
function homeChoice(before: string[], command: string, rest: string[]): HomeChoice {
  const global = [...before];
  const identity = takeOption(rest, 'identity') ?? takeOption(global, 'identity');
  const network =
    (command === 'identity' ? undefined : takeOption(rest, 'network')) ??
    takeOption(global, 'network');
  return { identity, network };
}
