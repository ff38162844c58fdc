// The typed bridge between the UI and the desktop shell: the only things the renderer can ask
// the main process to do. Every method is named; there is deliberately no generic `invoke`, so
// a compromised renderer can reach exactly these operations and no others.
//
// Three parties share this file: electron/preload.ts (exposes the methods as window.gpow),
// electron/ipc.ts (answers them, after checking the sender and parsing the arguments with the
// schemas below), and renderer/bridge/browserBridge.ts (the same contract in a plain browser).
//
// Secrets travel one way only: a recovery phrase or passphrase may go from the UI to the main
// process, never a secret key or phrase back. Results carry addresses and status, nothing more.
import * as v from 'valibot';

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
}

export interface UnlockKeystoreInput {
  readonly passphrase: string;
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
  | { readonly ok: true; readonly address: string }
  | { readonly ok: false; readonly code: UnlockFailureCode; readonly message: string };

export interface GpowBridge {
  appInfo(): Promise<AppInfo>;
  keystoreStatus(): Promise<KeystoreStatus>;
  /** Encrypts the phrase with the passphrase and saves it; refuses to replace a keystore. */
  createKeystore(input: CreateKeystoreInput): Promise<{ address: string }>;
  /** Opens the keystore; the key stays on the other side of the bridge. */
  unlockKeystore(input: UnlockKeystoreInput): Promise<UnlockKeystoreResult>;
  /**
   * A gpow: link the app was opened with since the last call (then forgotten), or null. It is
   * untrusted text from outside the app: show it to the user and act only on their confirmation.
   */
  pendingDeepLink(): Promise<string | null>;
}

export type BridgeMethod = keyof GpowBridge;

/** IPC channel names, fixed at build time. `satisfies` keeps them in step with the interface. */
export const CHANNELS = {
  appInfo: 'gpow:app-info',
  keystoreStatus: 'gpow:keystore-status',
  createKeystore: 'gpow:create-keystore',
  unlockKeystore: 'gpow:unlock-keystore',
  pendingDeepLink: 'gpow:pending-deep-link',
} as const satisfies Record<BridgeMethod, `gpow:${string}`>;

/** The method names, for code that must treat every method alike (registration, tests). */
export const BRIDGE_METHODS = Object.keys(CHANNELS) as BridgeMethod[];

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

export type BridgeArguments<K extends BridgeMethod> = Parameters<GpowBridge[K]>;

/** One schema per method, for the whole argument list; the mapped type keeps them in step. */
export const ARGUMENT_SCHEMAS: {
  readonly [K in BridgeMethod]: v.GenericSchema<unknown, BridgeArguments<K>>;
} = {
  appInfo: noArguments,
  keystoreStatus: noArguments,
  createKeystore: v.strictTuple(
    [
      v.strictObject(
        { mnemonic: mnemonicField, passphrase: passphraseField },
        'expected { mnemonic, passphrase } and nothing else',
      ),
    ],
    'expected exactly one argument, { mnemonic, passphrase }',
  ),
  unlockKeystore: v.strictTuple(
    [v.strictObject({ passphrase: passphraseField }, 'expected { passphrase } and nothing else')],
    'expected exactly one argument, { passphrase }',
  ),
  pendingDeepLink: noArguments,
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
