import { inflateSync } from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import type { MenuItemConstructorOptions, NativeImage, Tray } from 'electron';
import { createTray, trayMenuTemplate } from '../../electron/tray.ts';
import { TRAY_ICON_SIZE, trayIconPng } from '../../electron/trayIcon.ts';

vi.mock('electron', () => ({}));

const actions = () => ({
  show: vi.fn<() => void>(),
  lock: vi.fn<() => void>(),
  quit: vi.fn<() => void>(),
});

const click = (item: MenuItemConstructorOptions | undefined): void => {
  (item?.click as (() => void) | undefined)?.();
};

describe('the tray menu', () => {
  it('offers show, lock and quit, in that order', () => {
    const template = trayMenuTemplate(actions());
    expect(template.map((item) => item.type ?? item.id)).toEqual([
      'show',
      'lock',
      'separator',
      'quit',
    ]);
    expect(template.map((item) => item.label).filter(Boolean)).toEqual([
      'Show GPoW',
      'Lock',
      'Quit GPoW',
    ]);
  });

  it.each(['show', 'lock', 'quit'] as const)('%s runs its own action only', (id) => {
    const a = actions();
    click(trayMenuTemplate(a).find((item) => item.id === id));
    for (const name of ['show', 'lock', 'quit'] as const) {
      expect(a[name]).toHaveBeenCalledTimes(name === id ? 1 : 0);
    }
  });

  it('builds the tray with the icon, a tooltip and the menu; a click shows the window', () => {
    const a = actions();
    const listeners = new Map<string, () => void>();
    const tray = {
      setToolTip: vi.fn(),
      setContextMenu: vi.fn(),
      on: vi.fn((event: string, listener: () => void) => listeners.set(event, listener)),
    };
    const images: Buffer[] = [];
    const created = createTray(
      {
        Tray: vi.fn(function FakeTray() {
          return tray;
        }) as unknown as new (image: NativeImage) => Tray,
        Menu: { buildFromTemplate: (template) => ({ template }) as never },
        nativeImage: {
          createFromBuffer: (buffer) => {
            images.push(buffer);
            return {} as NativeImage;
          },
        },
      },
      a,
    );
    expect(created).toBe(tray);
    expect(tray.setToolTip).toHaveBeenCalledWith('GPoW');
    const menu = tray.setContextMenu.mock.calls[0]?.[0] as {
      template: MenuItemConstructorOptions[];
    };
    expect(menu.template.map((item) => item.id ?? item.type)).toEqual([
      'show',
      'lock',
      'separator',
      'quit',
    ]);
    click(menu.template[1]);
    expect(a.lock).toHaveBeenCalledOnce();
    listeners.get('click')?.();
    expect(a.show).toHaveBeenCalledOnce();
    expect(images[0]?.subarray(1, 4).toString()).toBe('PNG');
  });
});

describe('the tray icon', () => {
  it('is a valid RGBA PNG of the requested size, with transparent corners', () => {
    const png = trayIconPng();
    expect(png.subarray(0, 8)).toEqual(
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    );
    expect(png.subarray(12, 16).toString()).toBe('IHDR');
    expect(png.readUInt32BE(16)).toBe(TRAY_ICON_SIZE);
    expect(png.readUInt32BE(20)).toBe(TRAY_ICON_SIZE);
    expect(png[25]).toBe(6); // RGBA
    const idatLength = png.readUInt32BE(33);
    expect(png.subarray(37, 41).toString()).toBe('IDAT');
    const raw = inflateSync(png.subarray(41, 41 + idatLength));
    const stride = TRAY_ICON_SIZE * 4 + 1;
    expect(raw).toHaveLength(TRAY_ICON_SIZE * stride);
    expect(raw[4]).toBe(0); // the top-left pixel's alpha
    const centre = (TRAY_ICON_SIZE / 2) * stride + 1 + (TRAY_ICON_SIZE / 2) * 4;
    expect(raw[centre + 3]).toBe(255);
    expect(png.subarray(-8, -4).toString()).toBe('IEND');
  });

  it('refuses silly sizes', () => {
    expect(() => trayIconPng(4)).toThrow();
    expect(() => trayIconPng(1000)).toThrow();
    expect(trayIconPng(16).readUInt32BE(16)).toBe(16);
  });
});
