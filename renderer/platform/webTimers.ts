// The timer port in a browser (and the desktop app's renderer).
import type { TimerPort } from '../../engine/ports.ts';

export const webTimers: TimerPort = {
  after(ms, callback) {
    const timer = setTimeout(callback, ms);
    return () => clearTimeout(timer);
  },
  every(ms, callback) {
    const timer = setInterval(callback, ms);
    return () => clearInterval(timer);
  },
};

/** The clock port in a browser: the system's wall clock. */
export const webClock = { now: (): number => Date.now() };
