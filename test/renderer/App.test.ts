import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { App, MISSING_BRIDGE_MESSAGE } from '../../renderer/App.ts';
import { createBrowserBridge } from '../../renderer/bridge/browserBridge.ts';
import { deterministicRandom } from '../helpers/deterministicRandom.ts';

describe('App', () => {
  it('says clearly when there is no bridge', () => {
    const html = renderToStaticMarkup(createElement(App, { bridge: null }));
    expect(html).toContain('GPoW');
    expect(html).toContain(MISSING_BRIDGE_MESSAGE);
  });

  it('waits for the bridge when there is one', () => {
    const bridge = createBrowserBridge({
      storage: { getItem: () => null, setItem: () => undefined },
      random: deterministicRandom('app'),
      version: '0.0.0',
    });
    const html = renderToStaticMarkup(createElement(App, { bridge }));
    expect(html).toContain('Starting…');
    expect(html).not.toContain('secure bridge');
  });
});
