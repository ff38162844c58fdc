// The renderer entry. It only mounts the app; all the page may ask of the outside world goes
// through window.gpow (see renderer/bridge/types.d.ts).
import { createElement as h, StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.ts';

const container = document.getElementById('root');
if (container === null) throw new Error('index.html has no #root element to mount GPoW in');

createRoot(container).render(h(StrictMode, null, h(App, { bridge: window.gpow ?? null })));
