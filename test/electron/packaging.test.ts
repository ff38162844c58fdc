// The installer configuration: targets, icons and the gpow: scheme. Plain text checks, since
// electron-builder.yml is flat enough to read without a YAML parser.
import { readFile } from 'node:fs/promises';
import { describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => ({}));

const root = new URL('../../', import.meta.url);
const text = (path: string): Promise<string> => readFile(new URL(path, root), 'utf8');

describe('electron-builder.yml', () => {
  it('builds AppImage and deb, NSIS and dmg, with build/ as buildResources', async () => {
    const yml = await text('electron-builder.yml');
    expect(yml).toMatch(/^directories:\n {2}buildResources: build$/mu);
    expect(yml).toMatch(/^linux:\n {2}target:\n {4}- AppImage\n {4}- deb$/mu);
    expect(yml).toMatch(/^win:\n {2}target:\n {4}- nsis$/mu);
    expect(yml).toMatch(/^mac:\n {2}target:\n {4}- dmg$/mu);
  });

  it('registers the gpow: scheme', async () => {
    expect(await text('electron-builder.yml')).toMatch(
      /^protocols:\n {2}- name: GPoW\n {4}schemes:\n {6}- gpow$/mu,
    );
    expect(await text('forge.config.ts')).toMatch(
      /protocols: \[\{ name: 'GPoW', schemes: \['gpow'\] \}\]/u,
    );
  });

  it('has its icons: a 512 px PNG and a Windows ICO up to 256 px', async () => {
    const png = await readFile(new URL('build/icon.png', root));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.readUInt32BE(16)).toBeGreaterThanOrEqual(512);
    const ico = await readFile(new URL('build/icon.ico', root));
    expect(ico.readUInt16LE(0)).toBe(0);
    expect(ico.readUInt16LE(2)).toBe(1); // an icon resource
    const count = ico.readUInt16LE(4);
    const sizes = Array.from({ length: count }, (_, i) => ico[6 + 16 * i] || 256);
    expect(sizes).toEqual(expect.arrayContaining([16, 32, 48, 256]));
  });
});
