// The tray icon and its menu: show the window, lock the identity, quit. Lock is the same as
// locking in the UI, and more: main forgets the key and the window reloads, so nothing the page
// held survives either.
import type { Menu, MenuItemConstructorOptions, NativeImage, Tray } from 'electron';
import { trayIconPng } from './trayIcon.ts';

export interface TrayActions {
  show(): void;
  lock(): void;
  quit(): void;
}

export function trayMenuTemplate(actions: TrayActions): MenuItemConstructorOptions[] {
  return [
    { id: 'show', label: 'Show GPoW', click: () => actions.show() },
    { id: 'lock', label: 'Lock', click: () => actions.lock() },
    { type: 'separator' },
    { id: 'quit', label: 'Quit GPoW', click: () => actions.quit() },
  ];
}

/** The parts of Electron the tray needs; tests pass fakes. */
export interface TrayElectron {
  Tray: new (image: NativeImage) => Tray;
  Menu: Pick<typeof Menu, 'buildFromTemplate'>;
  nativeImage: { createFromBuffer(buffer: Buffer): NativeImage };
}

export function createTray(electron: TrayElectron, actions: TrayActions): Tray {
  const tray = new electron.Tray(electron.nativeImage.createFromBuffer(trayIconPng()));
  tray.setToolTip('GPoW');
  tray.setContextMenu(electron.Menu.buildFromTemplate(trayMenuTemplate(actions)));
  // On Windows and most Linux trays a click on the icon itself should bring the window back.
  tray.on('click', () => actions.show());
  return tray;
}
