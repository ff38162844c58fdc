// electron-builder afterPack hook: flips the Electron fuses in the packaged binary, from the
// same FUSES that forge.config.ts gives FusesPlugin, so neither packager can drift from the
// other. electron-builder runs afterPack before it signs the app, as fuses require.
// Loaded by electron-builder through Node's own TypeScript support (Node >= 22.18).
import type { AfterPackContext } from 'electron-builder';
import { FUSES } from '../electron/fuses.ts';

export default async function afterPack(context: AfterPackContext): Promise<void> {
  await context.packager.addElectronFuses(context, FUSES);
}
