// What the renderer tests that render the app share: fake-indexeddb's IDBKeyRange as a global for
// each test (every global stubbed is restored after it), the route the page is at, and the markup
// of the whole app or of one screen inside the app's context.
import { IDBKeyRange } from 'fake-indexeddb';
import { createElement, type ReactNode } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { afterEach, beforeEach, vi } from 'vitest';
import { createStore } from 'zustand/vanilla';
import { App } from '../../renderer/App.tsx';
import type { AppState } from '../../renderer/state/appStore.ts';
import { AppProvider } from '../../renderer/ui/context.tsx';
import type { TestApp } from './fixtures.ts';

/** Registers the file's beforeEach and afterEach: IDBKeyRange stubbed, all globals restored. */
export function withStubbedGlobals(): void {
  beforeEach(() => {
    vi.stubGlobal('IDBKeyRange', IDBKeyRange);
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });
}

/** The page at `#/path`. */
export function at(path: string): void {
  vi.stubGlobal('window', {
    location: { hash: `#/${path}` },
    addEventListener: () => undefined,
    removeEventListener: () => undefined,
  });
}

/** The whole app's markup, from the store's state now. */
export const render = (app: TestApp): string => {
  const now = app.store.getState();
  return renderToStaticMarkup(createElement(App, { store: createStore<AppState>()(() => now) }));
};

/** The markup of `node` inside the app's context. */
export const renderIn = (app: TestApp, node: ReactNode): string =>
  renderToStaticMarkup(createElement(AppProvider, { store: app.store, children: node }));

/**
 * The markup of `node` inside the app's context, from the store's state now. renderIn shows the
 * store's initial state: a server render reads zustand's initial snapshot, not the current one.
 */
export const renderNowIn = (app: TestApp, node: ReactNode): string => {
  const now = app.store.getState();
  const store = createStore<AppState>()(() => now);
  return renderToStaticMarkup(createElement(AppProvider, { store, children: node }));
};

/** React escapes these in text. */
export const escaped = (text: string): string =>
  text.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll("'", '&#x27;');
