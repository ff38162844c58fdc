import { describe, expect, it } from 'vitest';
import { isYWebrtcRace } from '../../node/net/yWebrtcRaces.ts';

describe('tolerating y-webrtc signaling races', () => {
  it('recognises errors thrown inside y-webrtc, and only those', () => {
    const race = new TypeError("Cannot set properties of undefined (setting 'glareToken')");
    race.stack = `${race.message}\n    at execMessage (file:///app/node_modules/y-webrtc/src/y-webrtc.js:539:37)`;
    expect(isYWebrtcRace(race)).toBe(true);
    const ours = new Error('a bug of our own');
    expect(isYWebrtcRace(ours)).toBe(false);
    expect(isYWebrtcRace('not an error')).toBe(false);
  });
});
