// The typed contract of the control socket: what `gpow` commands may ask the peer that `gpow run`
// keeps online, the way shared/bridge/contract.ts is the contract between the app's window and
// its main process.
//
// Three parties share this file: node/cli/control.ts (the wire: JSON lines over a Unix socket,
// and the typed client `controlClient`), node/cli/peerControl.ts (the running peer's side: it
// parses every request with `parseControlRequest` before anything runs) and the CLI commands
// (node/cli/wallet.ts, market.ts, private.ts, network.ts), which call `client.call('send', …)`
// with parameters and results checked at compile time.
//
// The wire format: one request per line, {id, method, params}; one answer per line, {id, result}
// or {id, error: {message}}. JSON has no bigints: amounts travel as decimal strings, both ways.
// `ControlResults` holds a method's result as the peer computes it (bigints and all); `Wire<T>`
// is what the caller receives.
//
// Every parameter is parsed from `unknown` with a bounded schema, and unknown keys are refused.
// No message repeats a value (a private memo, a message or a file's path may be private): a
// refusal names the method and the parameter, and says what is expected. Checks that need the
// ledger or the keys (is this an address, can it be spent) stay with the peer, which answers
// them in sentences of its own.
//
// Pure: no node:* imports, so the contract can be read (and tested) anywhere.
import * as v from 'valibot';
import type { WitnessReport } from '../wallet/witnessReport.ts';
import type { BudgetStatus } from '../wallet/budget.ts';

/** Far more than any request needs (a memo is at most 1 KiB); the socket refuses longer lines. */
export const MAX_CONTROL_REQUEST_BYTES = 64 * 1024;

// ---- results ----------------------------------------------------------------------------------

/** What JSON makes of a value: bigints become decimal strings. */
export type Wire<T> = T extends bigint
  ? string
  : T extends readonly (infer U)[]
    ? Wire<U>[]
    : T extends object
      ? { [K in keyof T]: Wire<T[K]> }
      : T;

export interface TransactionResult {
  /** The transaction's id, 64 hex characters. */
  readonly id: string;
}

export interface StatusResult {
  readonly networkId?: string;
  readonly address?: string | null;
  readonly peers: number;
  readonly synced: boolean;
  readonly transactions: {
    readonly valid: number;
    readonly final: number;
    readonly pending: number;
    readonly waiting: number;
  } | null;
  readonly stateRoot: string | null;
  /** The latest certified checkpoint and those pending (§14); absent before the genesis. */
  readonly checkpoints?: CheckpointView | null;
  /** The certified checkpoint this peer started from, when it did (§14.10). */
  readonly base?: number | null;
  /** The writing budget and who is near its end (§15); null in a network without one. */
  readonly budget?: BudgetStatus | null;
  /** The relay this peer serves, ws://host:port, or null. */
  readonly relayUrl?: string | null;
  /** The address the relay listens on (0.0.0.0 when it serves the LAN). */
  readonly relayHost?: string | null;
  /** True from the running peer; the CLI's offline status says false. */
  readonly running?: boolean;
  /** When `gpow run` started (ms since the epoch). */
  readonly since?: number;
  /** Why the ledger is empty, when it is. */
  readonly notice?: string;
  readonly problems?: readonly string[];
}

/** What `status` says of checkpoints (engine/checkpointStatus.ts has the same shape). */
export interface CheckpointView {
  /** The certified checkpoint with the highest number: its root in hex, its state in bytes. */
  readonly latest: {
    readonly n: number;
    readonly root: string;
    readonly size: number;
    readonly proposer: string;
  } | null;
  /** Checkpoints above the latest certified, not certified yet. */
  readonly pending: number;
  /** Transactions between two checkpoints this peer's witness duty uses; 0: none. */
  readonly every: number;
}

export interface BalanceResult {
  /** The identity: its balance counts all of its chains, its devices' included. */
  readonly address: string;
  readonly balance: bigint;
  readonly available: bigint;
  readonly pending: bigint;
  readonly frozen: boolean;
  /** On a device: what this device can spend now (docs/protocol.md §12). */
  readonly device?: bigint;
  /** The name of the network's money, as its genesis set it ("units" when it set none). */
  readonly unit: string;
}

/** The witness report, with the signed names (by hex key) of those it mentions who have one. */
export type WitnessListResult = WitnessReport & {
  readonly names: Readonly<Record<string, string>>;
};

export interface HistoryRow {
  readonly id: string;
  readonly time: number;
  readonly direction: 'in' | 'out';
  readonly counterparty: string;
  /** The name the counterparty signed in a profile (docs/profiles.md), when there is one. */
  readonly counterpartyName?: string;
  readonly amount: bigint;
  /** The name of the network's money. */
  readonly unit: string;
  readonly status: string;
  readonly memo?: string;
  /** Why a payment did not count (void or refused), and what happened to the money. */
  readonly note?: string;
}

export interface SskKeyResult {
  readonly id: string;
  readonly epoch: number;
}

export interface SskPartnerRow {
  readonly partner: string;
  readonly epoch: number | null;
  readonly sharedBy: string | null;
  readonly shares: number;
  readonly connected: number;
}

/** Where a text or file stands (shared/ssk/chatRecords.ts): ours sent, delivered or failed; theirs
 * received, or a file of theirs receiving, complete or failed. */
export type ChatStateName = 'sent' | 'delivered' | 'failed' | 'received' | 'receiving' | 'complete';

export interface MessageRow {
  readonly from: string;
  readonly text: string;
  readonly epoch: number;
  /** When this peer sent or received it: milliseconds since the Unix epoch. */
  readonly time: number;
  readonly state: ChatStateName;
  /** Why it failed, in a sentence. */
  readonly why?: string;
}

export interface FileRow {
  readonly id: string;
  readonly from: string;
  readonly name: string;
  readonly size: number;
  readonly received: number;
  readonly chunks: number;
  readonly complete: boolean;
  readonly state: ChatStateName;
  readonly why?: string;
  /** Whether its contents are kept here and can be saved (files up to 16 MiB). */
  readonly saved: boolean;
}

export interface ServiceRow {
  readonly id: string;
  readonly name: string;
  readonly unit: string;
  readonly evaluation: string;
}

export interface NegotiationOut {
  readonly ranked: ReadonlyArray<{
    readonly provider: string;
    readonly price: bigint;
    readonly total: bigint;
    readonly score: number;
    readonly freeCapacity: bigint;
    readonly reputation: {
      readonly completed: number;
      readonly failed: number;
      readonly disputesLost: number;
      readonly votedAgainstMajority: number;
    };
  }>;
  readonly excluded: ReadonlyArray<{
    readonly provider: string;
    readonly reason: string;
    readonly detail: string;
  }>;
  readonly recommended: string | null;
  /** The name of the network's money, which prices and totals are in. */
  readonly unit: string;
}

export interface RequestOut {
  readonly id: string;
  readonly provider: string;
  readonly total: bigint;
  /** The name of the network's money. */
  readonly unit: string;
}

export interface JobRow {
  readonly id: string;
  readonly service: string;
  readonly role: string;
  readonly state: string;
  readonly waiting?: string;
  readonly consumer: string;
  readonly provider: string;
  readonly price: string;
  readonly escrow: string;
  /** The name of the network's money, which price and escrow are in. */
  readonly unit: string;
  readonly committee: readonly string[];
  readonly settled: boolean;
  readonly fields?: Readonly<Record<string, unknown>>;
  readonly details?: Readonly<Record<string, string>>;
  readonly delivery?: string;
  /** A drawn validator's copy of a disputed delivery (protocol §11.8), or why it is unreadable. */
  readonly evidence?: {
    readonly text?: string;
    /** The copy's SHA-256 equals the hash the provider signed. */
    readonly matches?: boolean;
    readonly details?: Readonly<Record<string, string>>;
    readonly unreadable?: string;
  };
}

/** One of an identity's chains (docs/protocol.md §12): its own, or a device's. */
export interface DeviceRow {
  readonly address: string;
  readonly name: string;
  /** The identity's own chain: the machine that created it. */
  readonly original: boolean;
  /** This home's chain. */
  readonly here: boolean;
  readonly added: number | null;
  readonly lastSeen: number | null;
  readonly holds: bigint;
  readonly allowance: bigint;
  readonly revoked: 'final' | 'pending' | null;
}

export interface PairResult {
  /** The gpow:pair? link to open on the new device: it is a secret until used. */
  readonly link: string;
  readonly name: string;
  readonly allowance: bigint;
}

export interface RevokeResult extends TransactionResult {
  readonly device: string;
  readonly to: string;
}

/** A member's profile as `gpow profile show` prints it (docs/profiles.md). */
export interface ProfileResult {
  readonly address: string;
  /** The profile transaction shown, or null when the identity has none. */
  readonly id: string | null;
  readonly name: string | null;
  readonly note: string | null;
  readonly showBalance: boolean;
  /** The avatar's image type, or null. */
  readonly avatar: string | null;
  readonly avatarBytes: number;
}

/** One member of the directory (shared/wallet/members.ts). */
export interface MemberRow {
  readonly address: string;
  readonly name: string | null;
  /** The name as lists show it: with a distinguishing suffix where names look alike. */
  readonly label: string;
  readonly suffix: string | null;
  readonly mixedScript: boolean;
  readonly roles: readonly string[];
  readonly devices: ReadonlyArray<{
    readonly address: string;
    readonly name: string;
    readonly revoked: boolean;
  }>;
  readonly lastSeen: number | null;
  /** Only where the member's profile allows it. */
  readonly balance: bigint | null;
  readonly note: string | null;
  readonly avatar: string | null;
}

/** A proposed change of the witnesses, as `gpow witness add|remove|replace|approve` print it. */
export interface WitnessChangeResult extends TransactionResult {
  readonly epoch: number;
  /** Identities admitted and removed, as addresses; whether it closes the network. */
  readonly admit: readonly string[];
  readonly remove: readonly string[];
  readonly close: boolean;
  /** The whole new set, as addresses. */
  readonly witnesses: readonly string[];
  readonly added: readonly string[];
  readonly removed: readonly string[];
  /** How many of the current witnesses must back it. */
  readonly needed: number;
}

/** A re-founding (docs/protocol.md §13.6), as `gpow network refound` prints it. */
export interface RefoundResult {
  readonly networkId: string;
  readonly name: string;
  /** The announcement on the old network. */
  readonly announcement: string;
  readonly witnesses: readonly string[];
  /** What each identity holds in the new network (negative: owes). */
  readonly carried: ReadonlyArray<{ readonly address: string; readonly amount: bigint }>;
  /** The new genesis's wire bytes, hex: the home keeps them to start the new network. */
  readonly genesis: string;
}

/** A rotated join secret (§13.8): the caller prints a fresh invitation with it. */
/** A ticket just made (§13.9): the link's ticket fields; the caller adds relays and name. */
export interface TicketCreated {
  readonly id: string;
  readonly ticket: string;
  readonly door: string;
  readonly expires: number;
  readonly once: boolean;
}

/** A ticket as `gpow invite list` shows it. */
export interface TicketRow {
  readonly id: string;
  readonly once: boolean;
  readonly created: number;
  readonly expires: number;
  readonly state: 'open' | 'used' | 'expired' | 'revoked';
  readonly uses: ReadonlyArray<{ readonly at: number; readonly who: string | null }>;
}

export interface RotateResult {
  readonly generation: number;
  /** How many member chains it was sealed to. */
  readonly recipients: number;
  readonly secret: string;
}

/** Every method's result, as the peer computes it (see Wire for what the caller gets). */
export interface ControlResults {
  status: StatusResult;
  /** With the name of the network's money, so the sender sees what was sent. */
  send: TransactionResult & { readonly unit: string };
  balance: BalanceResult;
  history: HistoryRow[];
  'ssk-share': SskKeyResult;
  'ssk-revoke': SskKeyResult;
  'ssk-list': SskPartnerRow[];
  'msg-send': { readonly sent: true };
  'msg-read': MessageRow[];
  'file-send': { readonly id: string; readonly size: number };
  'file-list': FileRow[];
  'file-save': { readonly saved: string; readonly size: number };
  /** With the name of the network's money, which the rate is in. */
  'market-offer': TransactionResult & { readonly unit: string };
  'market-service-register': TransactionResult;
  'market-services': ServiceRow[];
  'market-bond': TransactionResult & { readonly unit: string };
  'market-negotiate': NegotiationOut;
  'market-request': RequestOut;
  'market-jobs': JobRow[];
  'market-evaluate': TransactionResult;
  'market-deliver': TransactionResult;
  'market-decline': TransactionResult;
  'device-list': DeviceRow[];
  'device-pair': PairResult;
  'device-revoke': RevokeResult;
  'profile-set': TransactionResult & { readonly name: string };
  'profile-show': ProfileResult;
  'member-list': MemberRow[];
  'witness-list': WitnessListResult;
  'witness-propose': WitnessChangeResult;
  'witness-approve': WitnessChangeResult;
  'room-rotate': RotateResult;
  'network-refound': RefoundResult;
  'invite-create': TicketCreated;
  'invite-list': TicketRow[];
  'invite-revoke': TicketRow;
}

export type ControlMethod = keyof ControlResults;

// ---- parameters -------------------------------------------------------------------------------
// Every check has its own message and none quotes the value.

/** Addresses are parsed by the peer (gpow1… or hex); this only bounds them. */
const MAX_ADDRESS = 200;
/** A path on this machine: the peer reads or writes it as this user. */
const MAX_PATH = 4096;
/** Texts the peer bounds itself, with a sentence of its own (memos, messages, deliveries). */
const MAX_TEXT = MAX_CONTROL_REQUEST_BYTES;
/** shared/dnec/bodies.ts MAX_FIELDS, and more than any service has. */
const MAX_FIELDS = 64;
/** Base64 of a little more than the 16 KiB an avatar may have, so the peer can say it is too big. */
const MAX_AVATAR_BASE64 = 24 * 1024;
/** shared/dnec/bodies.ts MAX_VALIDATORS is 16; the same order of providers to exclude. */
const MAX_EXCLUDE = 256;

const text = (what: string, max: number) =>
  v.pipe(
    v.string(`${what} must be text`),
    v.maxLength(max, `${what} is at most ${max} characters`),
  );

const nonEmpty = (what: string, max: number) =>
  v.pipe(
    v.string(`${what} must be text`),
    v.minLength(1, `${what} must not be empty`),
    v.maxLength(max, `${what} is at most ${max} characters`),
  );

const addressField = (what: string) =>
  v.pipe(
    v.string(`${what} must be an address (text)`),
    v.minLength(1, `${what} must not be empty`),
    v.maxLength(MAX_ADDRESS, `${what} is at most ${MAX_ADDRESS} characters`),
  );

/** A whole number of units as decimal digits (bigints travel as strings). */
const unitsField = (what: string) =>
  v.pipe(
    v.string(`${what} must be a decimal string`),
    v.regex(/^\d{1,19}$/u, `${what} must be a whole number: 1 to 19 decimal digits`),
  );

const keyHexField = (what: string) =>
  v.pipe(
    v.string(`${what} must be text`),
    v.regex(/^[0-9a-f]{64}$/u, `${what} must be a public key: 64 lowercase hex characters`),
  );

const requestIdField = v.pipe(
  v.string('the request id must be text'),
  v.regex(/^[0-9a-fA-F]{64}$/u, 'a request id is 64 hex characters'),
  v.toLowerCase(),
);

const wholeField = (what: string, min: number, max: number) =>
  v.pipe(
    v.number(`${what} must be a number`),
    v.safeInteger(`${what} must be a whole number`),
    v.minValue(min, `${what} must be at least ${min}`),
    v.maxValue(max, `${what} must be at most ${max}`),
  );

/** The shape of each method's parameters, said in its refusals. */
const SHAPES: { readonly [M in ControlMethod]: string } = {
  status: '{}',
  send: '{ to, amount, memo?, privateMemo? }',
  balance: '{ address? }',
  history: '{ address?, limit? }',
  'ssk-share': '{ to, purpose?, expiresDays? }',
  'ssk-revoke': '{ to }',
  'ssk-list': '{}',
  'msg-send': '{ to, text }',
  'msg-read': '{ with }',
  'file-send': '{ to, path }',
  'file-list': '{ with }',
  'file-save': '{ with, id, path }',
  'market-offer': '{ service, capacity, rate }',
  'market-service-register': '{ name?, unit?, evaluation?, fields? }',
  'market-services': '{}',
  'market-bond': '{ amount }',
  'market-negotiate': '{ service, and the job and its options }',
  'market-request': '{ service, and the job and its options }',
  'market-jobs': '{}',
  'market-evaluate': '{ request, verdict }',
  'market-deliver': '{ request, text }',
  'market-decline': '{ request, reason? }',
  'device-list': '{}',
  'device-pair': '{ name, allowance? }',
  'device-revoke': '{ device, to? }',
  'profile-set': '{ name, note?, avatar?, showBalance? }',
  'profile-show': '{ address? }',
  'member-list': '{}',
  'witness-list': '{}',
  'witness-propose': '{ change: add|remove|replace|admit|remove-member|close, address?, old? }',
  'room-rotate': '{}',
  'witness-approve': '{ change }',
  'network-refound': '{ name, witnesses: [address, …] }',
  'invite-create': '{ once, expires }',
  'invite-list': '{}',
  'invite-revoke': '{ id }',
};

/**
 * The parameters of `method`: an object with exactly these keys. The message says which key is
 * missing or not one of the method's, never a value.
 */
const params = <const E extends v.ObjectEntries>(method: ControlMethod, entries: E) =>
  v.strictObject(entries, (issue) => {
    const takes = `"${method}" takes ${SHAPES[method]}`;
    if (issue.expected === 'never') return `this is not a parameter: ${takes}`;
    if (issue.input === undefined && issue.path) return `this parameter is missing: ${takes}`;
    return `the parameters must be an object: ${takes}`;
  });

/** A job and the negotiation's options: negotiate and request take the same. */
const jobEntries = {
  service: nonEmpty('the service', 128),
  // pow
  difficulty: v.optional(wholeField('the difficulty', 0, 256)),
  data: v.optional(text('the data', MAX_TEXT)),
  // compute
  fn: v.optional(nonEmpty('the function', 64)),
  input: v.optional(
    v.pipe(
      v.string('the input must be text'),
      v.maxLength(MAX_TEXT, `the input is at most ${MAX_TEXT} characters`),
      v.regex(/^(?:[0-9a-fA-F]{2})*$/u, 'the input must be hex'),
    ),
  ),
  // a task of a registered service
  fields: v.optional(
    v.pipe(
      v.record(
        v.pipe(
          v.string('a field name must be text'),
          v.maxLength(64, 'a field name is at most 64 characters'),
        ),
        text('a field value', MAX_TEXT),
        'the fields must be an object of texts',
      ),
      v.check((fields) => Object.keys(fields).length <= MAX_FIELDS, `at most ${MAX_FIELDS} fields`),
    ),
  ),
  volume: v.optional(unitsField('the volume')),
  // options
  provider: v.optional(keyHexField('the provider')),
  maxRate: v.optional(unitsField('the maximum rate')),
  minReputation: v.optional(wholeField('the minimum reputation', 0, 999_999)),
  exclude: v.optional(
    v.pipe(
      v.array(keyHexField('an excluded provider'), 'exclude must be an array of public keys'),
      v.maxLength(MAX_EXCLUDE, `at most ${MAX_EXCLUDE} excluded providers`),
    ),
  ),
  validators: v.optional(wholeField('the number of validators', 0, 999_999)),
  fee: v.optional(unitsField('the fee')),
  within: v.optional(
    v.tuple(
      [
        wholeField('a deadline', 0, 1_000_000),
        wholeField('a deadline', 0, 1_000_000),
        wholeField('a deadline', 0, 1_000_000),
        wholeField('a deadline', 0, 1_000_000),
      ],
      'within must be four numbers of seconds: accept, deliver, review, evaluate',
    ),
  ),
};

/** One schema per method; the mapped type keeps the list in step with ControlResults. */
export const CONTROL_PARAMS = {
  status: params('status', {}),
  send: params('send', {
    to: addressField('the recipient'),
    // Checked by the peer (amountOf, memoBytes), with the same sentences as the offline send.
    amount: text('the amount', 32),
    memo: v.optional(text('the memo', MAX_TEXT)),
    privateMemo: v.optional(text('the private memo', MAX_TEXT)),
  }),
  balance: params('balance', { address: v.optional(addressField('the address')) }),
  history: params('history', {
    address: v.optional(addressField('the address')),
    limit: v.optional(wholeField('the limit', 1, 10_000)),
  }),
  'ssk-share': params('ssk-share', {
    to: addressField('the partner'),
    purpose: v.optional(text('the purpose', 64)),
    expiresDays: v.optional(
      v.pipe(
        v.number('the expiry must be a number of days'),
        v.finite('the expiry must be a number of days'),
        v.minValue(0, 'the expiry must not be negative'),
        v.maxValue(36_500, 'the expiry is at most 36500 days'),
      ),
    ),
  }),
  'ssk-revoke': params('ssk-revoke', { to: addressField('the partner') }),
  'ssk-list': params('ssk-list', {}),
  'msg-send': params('msg-send', {
    to: addressField('the partner'),
    text: text('the text', MAX_TEXT),
  }),
  'msg-read': params('msg-read', { with: addressField('the partner') }),
  'file-send': params('file-send', {
    to: addressField('the partner'),
    path: nonEmpty('the path', MAX_PATH),
  }),
  'file-list': params('file-list', { with: addressField('the partner') }),
  'file-save': params('file-save', {
    with: addressField('the partner'),
    id: nonEmpty('the file id', 128),
    path: nonEmpty('the path', MAX_PATH),
  }),
  'market-offer': params('market-offer', {
    service: nonEmpty('the service', 128),
    capacity: unitsField('the capacity'),
    rate: unitsField('the rate'),
  }),
  // The service itself is checked by the peer against shared/dnec/bodies.ts serviceSchema.
  'market-service-register': params('market-service-register', {
    name: v.optional(text('the name', 256)),
    unit: v.optional(text('the unit', 256)),
    evaluation: v.optional(text('the evaluation', 32)),
    fields: v.optional(
      v.pipe(
        v.array(
          v.tuple(
            [
              text('a field name', 256),
              text('a field kind', 32),
              v.boolean('whether a field is sensitive must be true or false'),
              v.boolean('whether a field is required must be true or false'),
            ],
            'a field is [name, kind, sensitive, required]',
          ),
          'the fields must be an array',
        ),
        v.maxLength(MAX_FIELDS, `at most ${MAX_FIELDS} fields`),
      ),
    ),
  }),
  'market-services': params('market-services', {}),
  'market-bond': params('market-bond', { amount: unitsField('the amount') }),
  'market-negotiate': params('market-negotiate', jobEntries),
  'market-request': params('market-request', jobEntries),
  'market-jobs': params('market-jobs', {}),
  'market-evaluate': params('market-evaluate', {
    request: requestIdField,
    verdict: v.picklist(
      ['approve', 'dispute', 'pass', 'fail'],
      'the verdict is one of approve, dispute, pass, fail',
    ),
  }),
  'market-deliver': params('market-deliver', {
    request: requestIdField,
    text: text('the text', MAX_TEXT),
  }),
  'market-decline': params('market-decline', {
    request: requestIdField,
    reason: v.optional(text('the reason', MAX_TEXT)),
  }),
  'device-list': params('device-list', {}),
  'device-pair': params('device-pair', {
    name: nonEmpty('the device name', 64),
    allowance: v.optional(unitsField('the allowance')),
  }),
  // A device is named by its name, its address, or "original"; the peer resolves it.
  'device-revoke': params('device-revoke', {
    device: nonEmpty('the device', MAX_ADDRESS),
    to: v.optional(nonEmpty('the heir', MAX_ADDRESS)),
  }),
  // The profile's own limits (shared/identity/profile.ts) are the peer's to say; these bound it.
  'profile-set': params('profile-set', {
    name: nonEmpty('the display name', 1024),
    note: v.optional(text('the note', 4096)),
    avatar: v.optional(
      v.pipe(
        v.string('the avatar must be base64 text'),
        v.maxLength(
          MAX_AVATAR_BASE64,
          `the avatar is at most ${MAX_AVATAR_BASE64} base64 characters`,
        ),
        v.regex(/^[A-Za-z0-9+/]*={0,2}$/u, 'the avatar must be base64 text'),
      ),
    ),
    showBalance: v.optional(v.boolean('showBalance must be true or false')),
  }),
  'profile-show': params('profile-show', { address: v.optional(addressField('the address')) }),
  'member-list': params('member-list', {}),
  'witness-list': params('witness-list', {}),
  'witness-propose': params('witness-propose', {
    change: v.picklist(
      ['add', 'remove', 'replace', 'admit', 'remove-member', 'close'],
      'the change is one of add, remove, replace, admit, remove-member, close',
    ),
    address: v.optional(addressField('the identity')),
    old: v.optional(addressField('the witness to replace')),
  }),
  'room-rotate': params('room-rotate', {}),
  'witness-approve': params('witness-approve', { change: nonEmpty('the change', 64) }),
  'network-refound': params('network-refound', {
    name: nonEmpty('the name', 64),
    witnesses: v.pipe(
      v.array(addressField('a witness'), 'the witnesses must be a list of addresses'),
      v.minLength(1, 'name at least one witness'),
      v.maxLength(64, 'at most 64 witnesses'),
    ),
  }),
  'invite-create': params('invite-create', {
    once: v.boolean('once must be true or false'),
    expires: v.pipe(
      v.number('expires must be a time in milliseconds'),
      v.safeInteger('expires must be a whole number of milliseconds'),
      v.minValue(1, 'expires must be after 1970'),
    ),
  }),
  'invite-list': params('invite-list', {}),
  'invite-revoke': params('invite-revoke', {
    id: v.pipe(
      v.string('the invitation id must be text'),
      v.regex(/^[0-9a-fA-F]{4,12}$/, 'the invitation id is 4 to 12 hex characters'),
    ),
  }),
} as const satisfies { readonly [M in ControlMethod]: v.GenericSchema<unknown, unknown> };

/** The method names, for code that must treat every method alike (registration, tests). */
export const CONTROL_METHODS = Object.keys(CONTROL_PARAMS) as ControlMethod[];

/** What a caller sends for `method`. */
export type ControlParams<M extends ControlMethod> = v.InferInput<(typeof CONTROL_PARAMS)[M]>;
/** What the peer's handler of `method` receives, once parsed. */
export type ParsedParams<M extends ControlMethod> = v.InferOutput<(typeof CONTROL_PARAMS)[M]>;

/** `call(method)` may leave the parameters out when every one is optional. */
export type ParamsArgument<M extends ControlMethod> =
  object extends ControlParams<M> ? [params?: ControlParams<M>] : [params: ControlParams<M>];

export const isControlMethod = (method: string): method is ControlMethod =>
  Object.hasOwn(CONTROL_PARAMS, method);

/** A request that passed the contract: the method, and its parameters parsed. */
export type ControlRequest = {
  [M in ControlMethod]: { readonly method: M; readonly params: ParsedParams<M> };
}[ControlMethod];

export type ParsedControlRequest =
  { ok: true; request: ControlRequest } | { ok: false; message: string };

/** A parameter's name as a refusal says it; a caller's key can be long. */
const MAX_NAMED_KEY = 64;

/** The issue's own message, or, for a default one that would quote the value, what it expects. */
function sentenceOf(issue: v.BaseIssue<unknown>): string {
  if (!issue.message.startsWith('Invalid ')) return issue.message;
  return issue.expected === null ? 'it is not valid' : `expected ${issue.expected}`;
}

/**
 * Checks an untrusted request against the contract. Never throws; a refusal names the method
 * and the parameter, says what is wrong, and never repeats a value.
 */
export function parseControlRequest(method: string, params: unknown): ParsedControlRequest {
  if (!isControlMethod(method))
    return {
      ok: false,
      message: `unknown method "${method}": the running peer answers ${CONTROL_METHODS.join(', ')}`,
    };
  // An array is an object to a schema, and an empty one would pass for no parameters.
  if (typeof params !== 'object' || params === null || Array.isArray(params))
    return {
      ok: false,
      message: `the request "${method}" has a bad parameter: the parameters must be an object: "${method}" takes ${SHAPES[method]}`,
    };
  const result = v.safeParse(CONTROL_PARAMS[method], params);
  if (result.success)
    return { ok: true, request: { method, params: result.output } as ControlRequest };
  const issue = result.issues[0];
  const path = v.getDotPath(issue);
  const where =
    path === null || path === ''
      ? ''
      : ` "${path.length > MAX_NAMED_KEY ? `${path.slice(0, MAX_NAMED_KEY)}…` : path}"`;
  return {
    ok: false,
    message: `the request "${method}" has a bad parameter${where}: ${sentenceOf(issue)}`,
  };
}
