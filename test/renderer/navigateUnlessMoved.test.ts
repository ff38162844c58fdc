// After a slow step (creating or joining a network), the wizard moves to the Network screen only
// if the user is still where the step began: one who went to Send meanwhile stays on Send. Found
// by the contacts e2e, which once clicked Send while the new network was starting and was
// pulled back to Network (renderer/ui/router.tsx, navigateUnlessMoved).
import { describe, expect, it } from 'vitest';
import { currentHash, navigateUnlessMoved } from '../../renderer/ui/router.tsx';
import { at, withStubbedGlobals } from './render.ts';

withStubbedGlobals();

describe('moving on after a slow step', () => {
  it('goes to the next screen only when the user has not moved meanwhile', () => {
    at('network/new');
    const from = currentHash();
    navigateUnlessMoved(from, 'network');
    expect(currentHash()).toBe('#/network');

    at('network/new');
    const started = currentHash();
    window.location.hash = '#/send'; // the user clicked Send while the network was starting
    navigateUnlessMoved(started, 'network');
    expect(currentHash()).toBe('#/send');
  });
});
