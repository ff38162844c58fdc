// Electron fuses: switches flipped in the packaged Electron binary itself, so they hold even if
// an attacker controls the environment or command line the app is started with. This is the
// one place they are set: forge.config.ts passes FUSES to FusesPlugin, and electron-builder's
// afterPack hook (scripts/afterPack.ts) flips the same FUSES, so both packagers agree.
import { FuseV1Options, FuseVersion, type FuseV1Config } from '@electron/fuses';

export const FUSES = {
  version: FuseVersion.V1,
  // ELECTRON_RUN_AS_NODE would turn the signed app binary into a general-purpose Node.js.
  [FuseV1Options.RunAsNode]: false,
  // Cookies are encrypted at rest with the OS keychain, as Chrome does.
  [FuseV1Options.EnableCookieEncryption]: true,
  // NODE_OPTIONS could preload arbitrary code (--require) into the main process.
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  // --inspect would let anyone who can start the app attach a debugger to the main process.
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  // With OnlyLoadAppFromAsar, the app code is read only from app.asar, whose hash is checked.
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  // The UI is served from app://gpow/, never file://, so file: pages need no extra powers.
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
} as const satisfies FuseV1Config;
