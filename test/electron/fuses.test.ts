import { FuseV1Options, FuseVersion } from '@electron/fuses';
import { describe, expect, it, vi } from 'vitest';
import { FUSES } from '../../electron/fuses.ts';

vi.mock('electron', () => ({}));

describe('Electron fuses', () => {
  it('turns off every way to run the binary as something else', () => {
    expect(FUSES.version).toBe(FuseVersion.V1);
    expect(FUSES[FuseV1Options.RunAsNode]).toBe(false);
    expect(FUSES[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(false);
    expect(FUSES[FuseV1Options.EnableNodeCliInspectArguments]).toBe(false);
    expect(FUSES[FuseV1Options.GrantFileProtocolExtraPrivileges]).toBe(false);
  });

  it('turns on cookie encryption and the asar-only, integrity-checked app', () => {
    expect(FUSES[FuseV1Options.EnableCookieEncryption]).toBe(true);
    expect(FUSES[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(true);
    expect(FUSES[FuseV1Options.OnlyLoadAppFromAsar]).toBe(true);
  });

  it('sets nothing else', () => {
    expect(Object.keys(FUSES).sort()).toEqual(
      [
        'version',
        FuseV1Options.RunAsNode,
        FuseV1Options.EnableCookieEncryption,
        FuseV1Options.EnableNodeOptionsEnvironmentVariable,
        FuseV1Options.EnableNodeCliInspectArguments,
        FuseV1Options.EnableEmbeddedAsarIntegrityValidation,
        FuseV1Options.OnlyLoadAppFromAsar,
        FuseV1Options.GrantFileProtocolExtraPrivileges,
      ]
        .map(String)
        .sort(),
    );
  });

  it('is what both packagers apply', async () => {
    const { default: forgeConfig } = await import('../../forge.config.ts');
    const fusesPlugins = (forgeConfig.plugins ?? []).filter(
      (plugin) => typeof plugin === 'object' && 'fusesConfig' in plugin,
    );
    expect(fusesPlugins).toHaveLength(1);
    expect(fusesPlugins[0]).toHaveProperty('fusesConfig', FUSES);

    const { default: afterPack } = await import('../../scripts/afterPack.ts');
    const addElectronFuses = vi.fn(() => Promise.resolve(0));
    const context = { packager: { addElectronFuses } };
    await afterPack(context as unknown as Parameters<typeof afterPack>[0]);
    expect(addElectronFuses).toHaveBeenCalledExactlyOnceWith(context, FUSES);
  });
});
