// The typed bridge between the UI and the desktop shell: the only things the renderer can ask
// the main process to do. Every method is named; there is deliberately no generic `invoke`, so
// a compromised renderer can reach exactly these operations and no others.
//
// Three parties share this file: electron/preload.ts (exposes the methods as window.gpow),
// electron/ipc.ts (answers them, after checking the sender and parsing the arguments with the
// schemas below), and renderer/bridge/browserBridge.ts (the same contract in a plain browser).
//
// Secrets travel one way only: a recovery phrase or passphrase may go from the UI to the main
// process, never a secret key, phrase or passphrase back. Results carry addresses, status,
// signed transactions and the ledger's own records, nothing more. The one key that comes back is
// an SSK pair key (openSskBox): the runtime encrypts that pair's traffic with it, so it must
// hold it; the identity's secret key stays in main.
//
// Every method returns a Promise except signTransaction and openSskBox, which answer
// synchronously (see SYNC_METHODS): the runtime's signer interface returns at once.
import * as v from 'valibot';
import type { RecoveryNote } from '../storage/port.ts';
import { unitSchema } from '../tx/genesis.ts';

export interface AppInfo {
  readonly name: string;
  readonly version: string;
  /** process.platform in the desktop app ('linux', 'darwin', 'win32'), 'web' in a browser. */
  readonly platform: string;
}

export interface KeystoreStatus {
  readonly exists: boolean;
  /** The address stored in the keystore, readable without the passphrase; absent if unreadable. */
  readonly address?: string;
}

export interface CreateKeystoreInput {
  readonly mnemonic: string;
  readonly passphrase: string;
  /**
   * Replace the keystore kept here: restoring from words on the lock screen, when the old
   * passphrase is forgotten or another identity's words are at hand. Without it a keystore is
   * never replaced.
   */
  readonly replace?: boolean;
}

export interface UnlockKeystoreInput {
  readonly passphrase: string;
  /**
   * Desktop only: after a successful unlock, keep the passphrase encrypted by the operating
   * system (Electron's safeStorage) so that unlockRemembered() can open the keystore next time.
   * Refused where that protection is weak (see SecureStorageStatus.weak). false forgets a
   * remembered passphrase; leaving it out changes nothing.
   */
  readonly remember?: boolean;
}

export type UnlockFailureCode =
  | 'not-found'
  | 'unreadable'
  | 'invalid-json'
  | 'malformed'
  | 'unsupported-version'
  | 'wrong-passphrase'
  | 'tampered';

export type UnlockKeystoreResult =
  | {
      readonly ok: true;
      readonly address: string;
      /** Present when `remember` was asked for: whether the passphrase is now remembered. */
      readonly remembered?: boolean;
    }
  | { readonly ok: false; readonly code: UnlockFailureCode; readonly message: string };

/** How well the operating system can protect a remembered passphrase (Electron safeStorage). */
export interface SecureStorageStatus {
  /** safeStorage.isEncryptionAvailable(): false in a browser and on systems without a keyring. */
  readonly available: boolean;
  /**
   * Where the secret would be kept: on Linux, safeStorage's backend ('gnome_libsecret',
   * 'kwallet', 'kwallet5', 'kwallet6', 'basic_text' or 'unknown'); 'keychain' on macOS, 'dpapi'
   * on Windows, 'none' in a browser.
   */
  readonly backend: string;
  /**
   * True when a remembered secret would be protected by nothing better than a key built into
   * Chromium (Linux 'basic_text', or an unknown backend): the UI should warn, and the desktop
   * app refuses to remember the passphrase there.
   */
  readonly weak: boolean;
  /** Whether a passphrase is remembered now. */
  readonly remembered: boolean;
}

/** A ledger log the main process opened for the renderer (see openLedgerLog). */
export interface LedgerLogOpened {
  readonly log: number;
}

export interface LedgerLogReadStarted {
  /** The read to fetch with readLedgerLogChunk until it is done. */
  readonly read: number;
  /** How many records the read will deliver. */
  readonly total: number;
  /** Present when the store repaired the log: a torn tail cut off, or damage removed. */
  readonly recovery?: RecoveryNote;
  /** The stored log's identity (LoadedLog.instance), when the store has one. */
  readonly instance?: string;
}

/** What commitLedgerLogRewrite answers: the new log's identity (LoadedLog.instance), if any. */
export interface LedgerLogRewritten {
  readonly instance?: string;
}

export interface LedgerLogChunk {
  readonly records: Uint8Array[];
  /** True with the last chunk; the read is then forgotten. */
  readonly done: boolean;
}

export interface NetworkServicesInput {
  /** Serve the relay to the LAN (0.0.0.0) and find the network's other peers there over mDNS. */
  readonly lan: boolean;
  /** The network whose LAN peers to find (64 hex characters); null runs the relay only. */
  readonly networkId: string | null;
}

/** A relay found on the LAN, reached through a loopback forwarder of the main process. */
export interface LanRelay {
  /** What to connect to: ws://127.0.0.1:<port>, which the page's CSP allows. */
  readonly url: string;
  /** The relay on the LAN it forwards to, for display. */
  readonly via: string;
}

export interface NetworkServicesReport {
  readonly running: boolean;
  /** The app's own relay, ws://127.0.0.1:<port>, or null when stopped. */
  readonly relay: string | null;
  /** Whether the relay is served to the LAN and mDNS discovery runs. */
  readonly lan: boolean;
  /** The relays found on the LAN so far. */
  readonly lanRelays: readonly LanRelay[];
  /** Why part of the services is not running (LAN discovery failing, say), if it is not. */
  readonly problem?: string;
}

export interface AllowedRelaysResult {
  /**
   * True when the page's Content-Security-Policy changed: it takes effect on the next load, so
   * reload the window to reach the new relays.
   */
  readonly reloadRequired: boolean;
}

/** The native notifications main can show; the text is main's own, from fixed templates. */
export const NOTIFICATION_KINDS = ['new-job', 'payment-received', 'evaluation-due'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export interface NotificationParams {
  /** Jobs newly posted on the market that match this identity's services. */
  readonly 'new-job': { readonly count: number };
  /**
   * An incoming payment: its amount as the UI formats it (digits, an optional decimal part) and
   * the network's unit as its genesis names it ("hours"), held to the genesis rule for units.
   */
  readonly 'payment-received': { readonly amount: string; readonly unit: string };
  /** Deliveries waiting for this identity's evaluation. */
  readonly 'evaluation-due': { readonly count: number };
}

/** notify's arguments: a kind and the parameters of that kind. */
export type NotifyArguments = {
  [K in NotificationKind]: [kind: K, params: NotificationParams[K]];
}[NotificationKind];

/** A key box of an `ssk` transaction, for main to open with the unlocked identity's secret. */
export interface OpenSskBoxInput {
  /** The sealed box (shared/ssk/box.ts), at most MAX_SSK_BOX_BYTES. */
  readonly box: Uint8Array;
  /** The network id, 32 bytes. */
  readonly network: Uint8Array;
  /** The Ed25519 key of the identity that sealed it, 32 bytes. */
  readonly sender: Uint8Array;
  readonly epoch: number;
}

/** The pair key and its metadata, or why the box does not open (shared/ssk/box.ts OpenKeyResult). */
export type OpenSskBoxResult =
  | {
      readonly ok: true;
      readonly key: Uint8Array;
      readonly meta: {
        readonly epoch: number;
        readonly alg: 1;
        readonly created: number;
        readonly expires?: number;
        readonly purpose: string;
      };
    }
  | { readonly ok: false; readonly error: string };

/** One identity of the install (shared/identity/identityList.ts), as the key manager lists it. */
export interface IdentitySummary {
  /** Its slot: a number that never changes while it exists. */
  readonly slot: number;
  readonly name: string;
  /** Its address, read from its keystore without the passphrase; absent if unreadable. */
  readonly address?: string;
}

export interface IdentitiesReport {
  /** The slot the keystore methods act on (keystoreStatus, unlockKeystore, …). */
  readonly current: number;
  readonly identities: readonly IdentitySummary[];
}

export interface AddIdentityInput {
  readonly name: string;
  /** The new identity's 24 words: fresh ones for a new identity, or those of one to import. */
  readonly mnemonic: string;
  readonly passphrase: string;
}

export interface GpowBridge {
  appInfo(): Promise<AppInfo>;
  keystoreStatus(): Promise<KeystoreStatus>;
  /** Encrypts the phrase with the passphrase and saves it; replaces a keystore only if asked. */
  createKeystore(input: CreateKeystoreInput): Promise<{ address: string }>;
  /** Opens the keystore; the key stays on the other side of the bridge. */
  unlockKeystore(input: UnlockKeystoreInput): Promise<UnlockKeystoreResult>;
  /**
   * Makes a fresh device key in main (docs/protocol.md §12: this computer becomes a device of
   * an identity, paired from a link, with no words), saves it encrypted with the passphrase,
   * refusing to replace a keystore, and holds it unlocked. The key never leaves main.
   */
  createDeviceKeystore(input: { passphrase: string }): Promise<{ address: string }>;
  /**
   * A gpow: link the app was opened with since the last call (then forgotten), or null. It is
   * untrusted text from outside the app: show it to the user and act only on their confirmation.
   */
  pendingDeepLink(): Promise<string | null>;

  // ---- several identities in one install (the key manager, docs/keys.md) --------------------
  /** The identities this install holds, and which one is current. */
  listIdentities(): Promise<IdentitiesReport>;
  /**
   * Saves a new identity from its words, encrypted with the passphrase, in a fresh slot, and
   * makes it current (locking the one held). The same identity twice is refused.
   */
  addIdentity(input: AddIdentityInput): Promise<{ slot: number; address: string }>;
  /** Makes another identity current; the one held is locked first. */
  useIdentity(input: { readonly slot: number }): Promise<void>;
  renameIdentity(input: { readonly slot: number; readonly name: string }): Promise<void>;
  /**
   * Deletes an identity's keystore (and its remembered passphrase) from this install; its words
   * are then the only way back. The last identity is refused. When the current one goes, it is
   * locked and the first remaining becomes current.
   */
  removeIdentity(input: { readonly slot: number }): Promise<IdentitiesReport>;

  // ---- signing (desktop) --------------------------------------------------------------------
  /**
   * Signs one transaction with the unlocked identity and returns its wire bytes. `request` is
   * encodeSignRequest(unsigned) (renderer/runtime/signer.ts): main decodes it strictly
   * (electron/signRequest.ts) and signs only a well-formed transaction of a known type. Throws while locked. SYNCHRONOUS (the one method that is): the
   * runtime's signer interface returns the signed bytes at once, so the preload uses
   * ipcRenderer.sendSync; signing takes well under a millisecond.
   */
  signTransaction(request: Uint8Array): Uint8Array;
  /**
   * Opens an SSK key box sealed to the unlocked identity (the recipient is always main's own
   * identity; the renderer cannot name another) and returns the pair key. A box that does not
   * open, or a locked identity, is an { ok: false } answer, not a throw. SYNCHRONOUS, like
   * signTransaction: the keyring opens boxes while it reads the ledger.
   */
  openSskBox(input: OpenSskBoxInput): OpenSskBoxResult;
  /**
   * Signs, with the unlocked identity's key, a device certificate or a revocation's
   * authorisation (docs/protocol.md §12): `message` is the exact bytes, which main checks
   * strictly (electron/identityMessage.ts) and refuses unless they are one of those two for this
   * identity. Throws while locked. SYNCHRONOUS, like signTransaction: the engine's device agent
   * signs while it composes.
   */
  signIdentityMessage(message: Uint8Array): Uint8Array;
  /**
   * The VRF proof (RFC 9381, shared/crypto/vrf.ts) of `alpha` with the unlocked key that signs
   * transactions: a witness's unique contribution to a committee seed. `alpha` is 1 to
   * MAX_VRF_ALPHA_BYTES bytes. Throws while locked. SYNCHRONOUS, like signTransaction: the
   * engine's signer port (EngineSigner.proveVrf) answers at once.
   */
  proveVrf(alpha: Uint8Array): Uint8Array;
  /** Forgets the unlocked key (overwriting it). The remembered passphrase, if any, stays. */
  lock(): Promise<void>;
  /** Unlocks with the passphrase remembered by unlockKeystore({ remember: true }), if any. */
  unlockRemembered(): Promise<UnlockKeystoreResult>;
  /** Deletes the remembered passphrase. */
  forgetRememberedUnlock(): Promise<void>;
  secureStorageStatus(): Promise<SecureStorageStatus>;

  // ---- the ledger log (desktop: an append-only file in the app's data directory) -----------
  /** Opens (creating if needed) the named log; every open needs its own closeLedgerLog. */
  openLedgerLog(input: { readonly name: string }): Promise<LedgerLogOpened>;
  /** Appends records durably and in order; resolves once they are on disk. */
  appendLedgerLog(input: { readonly log: number; readonly records: Uint8Array[] }): Promise<void>;
  /** Starts reading every record appended so far, in order, as of this call. */
  startLedgerLogRead(input: { readonly log: number }): Promise<LedgerLogReadStarted>;
  /** The next records of a read started by startLedgerLogRead. */
  readLedgerLogChunk(input: { readonly read: number }): Promise<LedgerLogChunk>;
  putLedgerMeta(input: {
    readonly log: number;
    readonly key: string;
    readonly value: Uint8Array;
  }): Promise<void>;
  getLedgerMeta(input: { readonly log: number; readonly key: string }): Promise<Uint8Array | null>;
  closeLedgerLog(input: { readonly log: number }): Promise<void>;
  /**
   * Starts replacing every record of the log (LogStore.rewrite): main opens an empty staging
   * area for this handle, dropping any unfinished one. The records then follow in order with
   * writeLedgerLogRewrite, as many requests as they need, and commitLedgerLogRewrite puts them
   * in place atomically. A rewrite never committed (the page closed mid-way, a request refused)
   * changes nothing. The renderer sends all three back to back, so nothing slips in between.
   */
  startLedgerLogRewrite(input: { readonly log: number }): Promise<void>;
  /** The next records of the rewrite started for this handle. */
  writeLedgerLogRewrite(input: {
    readonly log: number;
    readonly records: Uint8Array[];
  }): Promise<void>;
  /**
   * Replaces the log with the records staged, durably, and ends the rewrite whatever happens.
   * `total` is how many records were sent: a commit that staged any other number (a request
   * was refused on the way) is refused, changing nothing.
   */
  commitLedgerLogRewrite(input: {
    readonly log: number;
    readonly total: number;
  }): Promise<LedgerLogRewritten>;

  // ---- networking (desktop) -----------------------------------------------------------------
  /** Starts (or reconfigures) the app's signaling relay and, with `lan`, mDNS discovery. */
  startNetworkServices(input: NetworkServicesInput): Promise<NetworkServicesReport>;
  /** The relay URLs to use now: the app's own and those found on the LAN. */
  networkServices(): Promise<NetworkServicesReport>;
  stopNetworkServices(): Promise<void>;
  /**
   * The configured relays (ws:// or wss://) the page may connect to besides loopback ones: they
   * become the CSP's connect-src from the next page load on.
   */
  setAllowedRelays(input: { readonly relays: string[] }): Promise<AllowedRelaysResult>;

  // ---- the desktop around the window ------------------------------------------------------
  /** Shows a native notification of a fixed kind; false when not shown (unsupported, too many). */
  notify(...args: NotifyArguments): Promise<{ shown: boolean }>;
}

export type BridgeMethod = keyof GpowBridge;

/** IPC channel names, fixed at build time. `satisfies` keeps them in step with the interface. */
export const CHANNELS = {
  appInfo: 'gpow:app-info',
  keystoreStatus: 'gpow:keystore-status',
  createKeystore: 'gpow:create-keystore',
  unlockKeystore: 'gpow:unlock-keystore',
  createDeviceKeystore: 'gpow:create-device-keystore',
  pendingDeepLink: 'gpow:pending-deep-link',
  listIdentities: 'gpow:list-identities',
  addIdentity: 'gpow:add-identity',
  useIdentity: 'gpow:use-identity',
  renameIdentity: 'gpow:rename-identity',
  removeIdentity: 'gpow:remove-identity',
  signTransaction: 'gpow:sign-transaction',
  openSskBox: 'gpow:open-ssk-box',
  signIdentityMessage: 'gpow:sign-identity-message',
  proveVrf: 'gpow:prove-vrf',
  lock: 'gpow:lock',
  unlockRemembered: 'gpow:unlock-remembered',
  forgetRememberedUnlock: 'gpow:forget-remembered-unlock',
  secureStorageStatus: 'gpow:secure-storage-status',
  openLedgerLog: 'gpow:open-ledger-log',
  appendLedgerLog: 'gpow:append-ledger-log',
  startLedgerLogRead: 'gpow:start-ledger-log-read',
  readLedgerLogChunk: 'gpow:read-ledger-log-chunk',
  putLedgerMeta: 'gpow:put-ledger-meta',
  getLedgerMeta: 'gpow:get-ledger-meta',
  closeLedgerLog: 'gpow:close-ledger-log',
  startLedgerLogRewrite: 'gpow:start-ledger-log-rewrite',
  writeLedgerLogRewrite: 'gpow:write-ledger-log-rewrite',
  commitLedgerLogRewrite: 'gpow:commit-ledger-log-rewrite',
  startNetworkServices: 'gpow:start-network-services',
  networkServices: 'gpow:network-services',
  stopNetworkServices: 'gpow:stop-network-services',
  setAllowedRelays: 'gpow:set-allowed-relays',
  notify: 'gpow:notify',
} as const satisfies Record<BridgeMethod, `gpow:${string}`>;

/** The method names, for code that must treat every method alike (registration, tests). */
export const BRIDGE_METHODS = Object.keys(CHANNELS) as BridgeMethod[];

/** The methods that answer synchronously (ipcRenderer.sendSync); every other returns a Promise. */
export type SyncBridgeMethod = {
  [K in BridgeMethod]: ReturnType<GpowBridge[K]> extends Promise<unknown> ? never : K;
}[BridgeMethod];
export type AsyncBridgeMethod = Exclude<BridgeMethod, SyncBridgeMethod>;

export const SYNC_METHODS: readonly SyncBridgeMethod[] = [
  'signTransaction',
  'openSskBox',
  'signIdentityMessage',
  'proveVrf',
];

export const isSyncMethod = (method: BridgeMethod): method is SyncBridgeMethod =>
  (SYNC_METHODS as readonly BridgeMethod[]).includes(method);

/** What a synchronous method sends back over sendSync: it cannot throw across the process line. */
export type SyncReply<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

// ---------------------------------------------------------------------------------------------
// Argument schemas. Each method's arguments are parsed as a whole tuple, so missing, extra and
// mistyped arguments, and unknown object keys, are all refused before anything runs.
//
// Every check has its own message and none of them quotes the value: the values here are
// recovery phrases and passphrases, and an error message may end up in a log.

/** A 24-word phrase is under 220 characters; this leaves room for stray whitespace. */
export const MAX_MNEMONIC_LENGTH = 1024;
/** Generous for any passphrase a person types or a password manager generates. */
export const MAX_PASSPHRASE_LENGTH = 1024;

const mnemonicField = v.pipe(
  v.string('the recovery phrase must be text'),
  v.maxLength(
    MAX_MNEMONIC_LENGTH,
    `the recovery phrase is too long: at most ${MAX_MNEMONIC_LENGTH} characters`,
  ),
);

const passphraseField = v.pipe(
  v.string('the passphrase must be text'),
  v.minLength(1, 'the passphrase must not be empty'),
  v.maxLength(
    MAX_PASSPHRASE_LENGTH,
    `the passphrase is too long: at most ${MAX_PASSPHRASE_LENGTH} characters`,
  ),
);

const noArguments = v.strictTuple([], 'this method takes no arguments');

/** An identity's slot (shared/identity/identityList.ts). */
const slotField = v.pipe(
  v.number('the slot must be a number'),
  v.safeInteger('the slot must be a whole number'),
  v.minValue(0, 'the slot must not be negative'),
  v.maxValue(999_999, 'the slot is at most 999999'),
);

/** Checked in full by identityNameProblem; here only bounded. */
const identityNameField = v.pipe(
  v.string('the identity name must be text'),
  v.maxLength(200, 'the identity name is at most 200 characters'),
);

/** One argument, an object with exactly the given keys. */
const oneObject = <const E extends v.ObjectEntries>(entries: E, shape: string) =>
  v.strictTuple(
    [v.strictObject(entries, `expected ${shape} and nothing else`)],
    `expected exactly one argument, ${shape}`,
  );

// ---- the ledger log ---------------------------------------------------------------------------

/**
 * Log names become directory names under the app's data directory: a small, portable alphabet
 * with no dots or separators. The runtime's names are "gpow-ledger-" and a network id.
 */
export const LEDGER_LOG_NAME = /^[a-z0-9][a-z0-9-]{0,99}$/u;
/** Records per append (or rewrite) request; a larger batch is split by the renderer's store. */
export const MAX_APPEND_RECORDS = 4096;
/** Bytes per append request (each record is at most MAX_RECORD_BYTES as well). */
export const MAX_APPEND_BYTES = 8 * 1024 * 1024;
/** The largest record or meta value a store accepts: shared/storage/port.ts MAX_RECORD_BYTES. */
export const MAX_LEDGER_RECORD_BYTES = 1 << 20;
/** Meta keys: shared/storage/validate.ts's alphabet. */
const META_KEY = /^[a-z0-9-]{1,64}$/u;

const handleField = (what: string) =>
  v.pipe(
    v.number(`the ${what} must be a number`),
    v.safeInteger(`the ${what} must be a whole number`),
    v.minValue(1, `the ${what} must be positive`),
  );

const recordField = v.pipe(
  v.instance(Uint8Array, 'each record must be a Uint8Array'),
  v.check((bytes) => bytes.length > 0, 'a record must not be empty'),
  v.check(
    (bytes) => bytes.length <= MAX_LEDGER_RECORD_BYTES,
    `a record is at most ${MAX_LEDGER_RECORD_BYTES} bytes`,
  ),
);

const recordsField = v.pipe(
  v.array(recordField, 'the records must be an array of Uint8Array'),
  v.maxLength(MAX_APPEND_RECORDS, `at most ${MAX_APPEND_RECORDS} records per request`),
  v.check(
    (records) => records.reduce((sum, record) => sum + record.length, 0) <= MAX_APPEND_BYTES,
    `at most ${MAX_APPEND_BYTES} bytes per request`,
  ),
);

const metaValueField = v.pipe(
  v.instance(Uint8Array, 'the value must be a Uint8Array'),
  v.check(
    (bytes) => bytes.length <= MAX_LEDGER_RECORD_BYTES,
    `a meta value is at most ${MAX_LEDGER_RECORD_BYTES} bytes`,
  ),
);

const logName = v.pipe(
  v.string('the log name must be text'),
  v.regex(LEDGER_LOG_NAME, "a log name is 1 to 100 characters from a-z, 0-9 and '-'"),
);
const metaKey = v.pipe(
  v.string('the meta key must be text'),
  v.regex(META_KEY, "a meta key is 1 to 64 characters from a-z, 0-9 and '-'"),
);

// What startLedgerLogRead answers. Main is trusted, but the renderer checks the answer all the
// same, so a main and a renderer out of step fail loudly instead of passing half a note on.

/** Longer than any sentence the file log writes, even naming a deep path several times. */
const MAX_RECOVERY_REASON = 16 * 1024;
/** dev:ino:birth-time as decimal numbers, with room to spare. */
const MAX_LOG_INSTANCE = 256;

const sizeField = (what: string) =>
  v.pipe(
    v.number(`${what} must be a number`),
    v.safeInteger(`${what} must be a whole number`),
    v.minValue(0, `${what} must not be negative`),
  );

const reasonField = v.pipe(
  v.string('the recovery reason must be text'),
  v.minLength(1, 'the recovery reason must not be empty'),
  v.maxLength(
    MAX_RECOVERY_REASON,
    `the recovery reason is at most ${MAX_RECOVERY_REASON} characters`,
  ),
);

const recoveryField = v.variant(
  'kind',
  [
    v.strictObject({
      kind: v.literal('torn-tail'),
      truncatedBytes: sizeField('truncatedBytes'),
      reason: reasonField,
    }),
    v.strictObject({
      kind: v.literal('damage'),
      truncatedBytes: sizeField('truncatedBytes'),
      regions: v.array(
        v.strictObject({ offset: sizeField('a region offset'), bytes: sizeField('a region size') }),
        'the damaged regions must be an array',
      ),
      recordsKeptAfter: sizeField('recordsKeptAfter'),
      savedCopy: v.pipe(
        v.string('the saved copy must be a path'),
        v.minLength(1, 'the saved copy must not be empty'),
      ),
      reason: reasonField,
    }),
  ],
  "the recovery note must be of kind 'torn-tail' or 'damage'",
);

const instanceField = v.optional(
  v.pipe(
    v.string('the log instance must be text'),
    v.maxLength(MAX_LOG_INSTANCE, `the log instance is at most ${MAX_LOG_INSTANCE} characters`),
  ),
);

const ledgerLogReadStartedSchema: v.GenericSchema<unknown, LedgerLogReadStarted> = v.strictObject(
  {
    read: handleField('read'),
    total: sizeField('the total'),
    recovery: v.optional(recoveryField),
    instance: instanceField,
  },
  'expected { read, total, recovery?, instance? } and nothing else',
);

export type ParsedAnswer<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * Checks main's answer to `method` with its schema. Never throws; the message names the field.
 * What it returns carries only the fields the contract names, so nothing else reaches a store.
 */
function parseAnswer<T>(
  schema: v.GenericSchema<unknown, T>,
  method: BridgeMethod,
  answer: unknown,
): ParsedAnswer<T> {
  const result = v.safeParse(schema, answer);
  if (result.success) return { ok: true, value: result.output };
  const issue = result.issues[0];
  const path = v.getDotPath(issue);
  const where = path === null ? '' : ` (${path})`;
  return { ok: false, message: `invalid answer to ${method}${where}: ${issue.message}` };
}

/** Checks main's answer to startLedgerLogRead. */
export const parseLedgerLogReadStarted = (answer: unknown): ParsedAnswer<LedgerLogReadStarted> =>
  parseAnswer(ledgerLogReadStartedSchema, 'startLedgerLogRead', answer);

const ledgerLogRewrittenSchema: v.GenericSchema<unknown, LedgerLogRewritten> = v.strictObject(
  { instance: instanceField },
  'expected { instance? } and nothing else',
);

/** Checks main's answer to commitLedgerLogRewrite. */
export const parseLedgerLogRewritten = (answer: unknown): ParsedAnswer<LedgerLogRewritten> =>
  parseAnswer(ledgerLogRewrittenSchema, 'commitLedgerLogRewrite', answer);

// ---- the key manager --------------------------------------------------------------------------

const identitiesReportSchema: v.GenericSchema<unknown, IdentitiesReport> = v.strictObject(
  {
    current: slotField,
    identities: v.pipe(
      v.array(
        v.strictObject({
          slot: slotField,
          name: identityNameField,
          address: v.optional(
            v.pipe(
              v.string('the address must be text'),
              v.maxLength(100, 'the address is too long'),
            ),
          ),
        }),
        'the identities must be an array',
      ),
      v.maxLength(64, 'at most 64 identities'),
    ),
  },
  'expected { current, identities } and nothing else',
);

/** Checks main's answer to listIdentities or removeIdentity. */
export const parseIdentitiesReport = (
  method: 'listIdentities' | 'removeIdentity',
  answer: unknown,
): ParsedAnswer<IdentitiesReport> => parseAnswer(identitiesReportSchema, method, answer);

// ---- networking -------------------------------------------------------------------------------

/** More than any settings screen and invitation together (each holds at most 16). */
export const MAX_ALLOWED_RELAYS = 32;
/** shared/net/invitation.ts MAX_RELAY_URL_LENGTH; main checks each URL fully with relayUrlError. */
const MAX_RELAY_URL = 200;

const relayField = v.pipe(
  v.string('a relay must be text'),
  v.regex(/^wss?:\/\//u, 'a relay must start with ws:// or wss://'),
  v.maxLength(MAX_RELAY_URL, `a relay URL is at most ${MAX_RELAY_URL} characters`),
);

// ---- notifications ----------------------------------------------------------------------------

/** A count shown in a notification ("3 new jobs"). */
const countField = v.pipe(
  v.number('the count must be a number'),
  v.safeInteger('the count must be a whole number'),
  v.minValue(1, 'the count must be at least 1'),
  v.maxValue(9999, 'the count must be at most 9999'),
);
/** An amount as the UI shows it: digits and an optional decimal part, nothing else. */
export const NOTIFICATION_AMOUNT = /^\d{1,20}(?:\.\d{1,18})?$/u;

const notifySchema = v.union(
  [
    v.strictTuple([v.literal('new-job'), v.strictObject({ count: countField })]),
    v.strictTuple([
      v.literal('payment-received'),
      v.strictObject({
        amount: v.pipe(
          v.string(),
          v.regex(NOTIFICATION_AMOUNT, 'the amount must be digits with an optional decimal part'),
        ),
        // The genesis rule: letters, digits, spaces and '-', at most 16, so no markup either.
        unit: unitSchema,
      }),
    ]),
    v.strictTuple([v.literal('evaluation-due'), v.strictObject({ count: countField })]),
  ],
  `expected a kind (${NOTIFICATION_KINDS.join(', ')}) and that kind's parameters`,
);

// ---- signing ----------------------------------------------------------------------------------

/**
 * A sign request (see renderer/runtime/signer.ts encodeSignRequest) is one transaction without
 * its author and signature, so it is smaller than a transaction: shared/tx/envelope.ts
 * MAX_TX_BYTES, repeated here so that the preload need not bundle the transaction code.
 */
export const MAX_SIGN_REQUEST_BYTES = 64 * 1024;
/**
 * A device certificate or a revocation's authorisation is about 200 bytes; a change of the
 * witnesses that admits or removes many members is the largest (about 20 KB for 256 each).
 */
export const MAX_IDENTITY_MESSAGE_BYTES = 24 * 1024;
/** A VRF input is an id or a short tag; 256 bytes is far above any the protocol makes. */
export const MAX_VRF_ALPHA_BYTES = 256;
/** shared/ssk/box.ts SSK_BOX_MAX_BYTES, repeated for the same reason. */
export const MAX_SSK_BOX_BYTES = 512;
/** shared/ssk/box.ts SSK_MAX_EPOCH. */
const MAX_SSK_EPOCH = 2 ** 32 - 1;

const key32 = (what: string) =>
  v.pipe(
    v.instance(Uint8Array, `the ${what} must be a Uint8Array`),
    v.length(32, `the ${what} must be 32 bytes`),
  );

const openSskBoxSchema = oneObject(
  {
    box: v.pipe(
      v.instance(Uint8Array, 'the box must be a Uint8Array'),
      v.minLength(1, 'the box must not be empty'),
      v.maxLength(MAX_SSK_BOX_BYTES, `a key box is at most ${MAX_SSK_BOX_BYTES} bytes`),
    ),
    network: key32('network id'),
    sender: key32('sender key'),
    epoch: v.pipe(
      v.number('the epoch must be a number'),
      v.safeInteger('the epoch must be a whole number'),
      v.minValue(1, 'the epoch must be at least 1'),
      v.maxValue(MAX_SSK_EPOCH, 'the epoch must be below 2^32'),
    ),
  },
  '{ box, network, sender, epoch }',
);

export type BridgeArguments<K extends BridgeMethod> = Parameters<GpowBridge[K]>;

/** One schema per method, for the whole argument list; the mapped type keeps them in step. */
export const ARGUMENT_SCHEMAS: {
  readonly [K in BridgeMethod]: v.GenericSchema<unknown, BridgeArguments<K>>;
} = {
  appInfo: noArguments,
  keystoreStatus: noArguments,
  createKeystore: oneObject(
    {
      mnemonic: mnemonicField,
      passphrase: passphraseField,
      replace: v.optional(v.boolean('replace must be true or false')),
    },
    '{ mnemonic, passphrase, replace? }',
  ),
  createDeviceKeystore: oneObject({ passphrase: passphraseField }, '{ passphrase }'),
  unlockKeystore: v.strictTuple(
    [
      v.strictObject(
        {
          passphrase: passphraseField,
          remember: v.optional(v.boolean('remember must be true or false')),
        },
        'expected { passphrase, remember? } and nothing else',
      ),
    ],
    'expected exactly one argument, { passphrase, remember? }',
  ),
  pendingDeepLink: noArguments,
  listIdentities: noArguments,
  addIdentity: oneObject(
    { name: identityNameField, mnemonic: mnemonicField, passphrase: passphraseField },
    '{ name, mnemonic, passphrase }',
  ),
  useIdentity: oneObject({ slot: slotField }, '{ slot }'),
  renameIdentity: oneObject({ slot: slotField, name: identityNameField }, '{ slot, name }'),
  removeIdentity: oneObject({ slot: slotField }, '{ slot }'),

  signTransaction: v.strictTuple(
    [
      v.pipe(
        v.instance(Uint8Array, 'the sign request must be a Uint8Array'),
        v.check((bytes) => bytes.length > 0, 'the sign request must not be empty'),
        v.check(
          (bytes) => bytes.length <= MAX_SIGN_REQUEST_BYTES,
          `the sign request is at most ${MAX_SIGN_REQUEST_BYTES} bytes`,
        ),
      ),
    ],
    'expected exactly one argument, the encoded sign request',
  ),
  openSskBox: openSskBoxSchema,
  signIdentityMessage: v.strictTuple(
    [
      v.pipe(
        v.instance(Uint8Array, 'the message must be a Uint8Array'),
        v.check((bytes) => bytes.length > 0, 'the message must not be empty'),
        v.check(
          (bytes) => bytes.length <= MAX_IDENTITY_MESSAGE_BYTES,
          `the message is at most ${MAX_IDENTITY_MESSAGE_BYTES} bytes`,
        ),
      ),
    ],
    'expected exactly one argument, the message',
  ),
  proveVrf: v.strictTuple(
    [
      v.pipe(
        v.instance(Uint8Array, 'the VRF input must be a Uint8Array'),
        v.check((bytes) => bytes.length > 0, 'the VRF input must not be empty'),
        v.check(
          (bytes) => bytes.length <= MAX_VRF_ALPHA_BYTES,
          `the VRF input is at most ${MAX_VRF_ALPHA_BYTES} bytes`,
        ),
      ),
    ],
    'expected exactly one argument, the VRF input',
  ),
  lock: noArguments,
  unlockRemembered: noArguments,
  forgetRememberedUnlock: noArguments,
  secureStorageStatus: noArguments,

  openLedgerLog: oneObject({ name: logName }, '{ name }'),
  appendLedgerLog: oneObject(
    { log: handleField('log'), records: recordsField },
    '{ log, records }',
  ),
  startLedgerLogRead: oneObject({ log: handleField('log') }, '{ log }'),
  readLedgerLogChunk: oneObject({ read: handleField('read') }, '{ read }'),
  putLedgerMeta: oneObject(
    { log: handleField('log'), key: metaKey, value: metaValueField },
    '{ log, key, value }',
  ),
  getLedgerMeta: oneObject({ log: handleField('log'), key: metaKey }, '{ log, key }'),
  closeLedgerLog: oneObject({ log: handleField('log') }, '{ log }'),
  startLedgerLogRewrite: oneObject({ log: handleField('log') }, '{ log }'),
  writeLedgerLogRewrite: oneObject(
    { log: handleField('log'), records: recordsField },
    '{ log, records }',
  ),
  commitLedgerLogRewrite: oneObject(
    {
      log: handleField('log'),
      total: v.pipe(
        v.number('the total must be a number'),
        v.safeInteger('the total must be a whole number'),
        v.minValue(0, 'the total must not be negative'),
      ),
    },
    '{ log, total }',
  ),

  startNetworkServices: oneObject(
    {
      lan: v.boolean('lan must be true or false'),
      networkId: v.nullable(
        v.pipe(
          v.string('the network id must be text or null'),
          v.regex(/^[0-9a-f]{64}$/u, 'the network id is 64 lowercase hex characters'),
        ),
      ),
    },
    '{ lan, networkId }',
  ),
  networkServices: noArguments,
  stopNetworkServices: noArguments,
  setAllowedRelays: oneObject(
    {
      relays: v.pipe(
        v.array(relayField, 'the relays must be an array of URLs'),
        v.maxLength(MAX_ALLOWED_RELAYS, `at most ${MAX_ALLOWED_RELAYS} relays`),
      ),
    },
    '{ relays }',
  ),

  notify: notifySchema,
};

export type ParsedArguments<K extends BridgeMethod> =
  { ok: true; args: BridgeArguments<K> } | { ok: false; message: string };

/**
 * Checks untrusted arguments for `method`. Never throws; the failure message names the method
 * and the offending field but never repeats the value.
 */
export function parseArguments<K extends BridgeMethod>(
  method: K,
  args: unknown,
): ParsedArguments<K> {
  const result = v.safeParse(ARGUMENT_SCHEMAS[method], args);
  if (result.success) return { ok: true, args: result.output };
  const issue = result.issues[0];
  const path = v.getDotPath(issue);
  const where = path === null ? '' : ` (argument ${path})`;
  return { ok: false, message: `invalid arguments to ${method}${where}: ${issue.message}` };
}
