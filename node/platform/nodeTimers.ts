// The timer port on Node.
import type { TimerPort } from '../../engine/ports.ts';

export const nodeTimers: TimerPort = {
  after(ms, callback) {
    const timer = setTimeout(callback, ms);
    return () => clearTimeout(timer);
  },
  every(ms, callback) {
    const timer = setInterval(callback, ms);
    return () => clearInterval(timer);
  },
};

/** The clock port on Node: the system's wall clock. */
export const nodeClock = { now: (): number => Date.now() };
