// The first screen: which app and version this is, and whether a keystore exists. The real UI
// comes later; this proves the bridge end to end.
//
// Written with createElement, in a .ts file, because the project's tsconfig has no "jsx"
// setting yet (TypeScript refuses JSX, and even imports of .tsx files, without one). Once it
// has "jsx": "react-jsx", this can become App.tsx with JSX.
import { createElement as h, useEffect, useState, type ReactElement } from 'react';
import type { AppInfo, GpowBridge, KeystoreStatus } from '../shared/bridge/contract.ts';

type Loaded =
  | { kind: 'loading' }
  | { kind: 'ready'; info: AppInfo; keystore: KeystoreStatus }
  | { kind: 'failed'; message: string };

export const MISSING_BRIDGE_MESSAGE =
  'This page cannot reach GPoW: the secure bridge (window.gpow) is missing. ' +
  'Open it from the GPoW desktop app, or run “npm run web” to try it in a browser.';

function keystoreLine(keystore: KeystoreStatus): string {
  if (!keystore.exists) return 'No keystore yet.';
  return keystore.address === undefined
    ? 'A keystore exists, but its address cannot be read.'
    : `Keystore for ${keystore.address}`;
}

export function App({ bridge }: { bridge: GpowBridge | null }): ReactElement {
  const [state, setState] = useState<Loaded>({ kind: 'loading' });

  useEffect(() => {
    if (bridge === null) return;
    let current = true;
    Promise.all([bridge.appInfo(), bridge.keystoreStatus()])
      .then(([info, keystore]) => {
        if (current) setState({ kind: 'ready', info, keystore });
      })
      .catch((error: unknown) => {
        const reason = error instanceof Error ? error.message : String(error);
        if (current) setState({ kind: 'failed', message: `GPoW did not answer: ${reason}` });
      });
    return () => {
      current = false;
    };
  }, [bridge]);

  if (bridge === null) {
    return h(
      'main',
      null,
      h('h1', null, 'GPoW'),
      h('p', { className: 'error' }, MISSING_BRIDGE_MESSAGE),
    );
  }
  switch (state.kind) {
    case 'loading':
      return h('main', null, h('h1', null, 'GPoW'), h('p', { className: 'muted' }, 'Starting…'));
    case 'failed':
      return h('main', null, h('h1', null, 'GPoW'), h('p', { className: 'error' }, state.message));
    case 'ready':
      return h(
        'main',
        null,
        h('h1', null, state.info.name),
        h('p', { className: 'muted' }, `Version ${state.info.version} on ${state.info.platform}`),
        h('p', null, h('code', null, keystoreLine(state.keystore))),
      );
  }
}
