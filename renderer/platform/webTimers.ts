// The timer and clock ports in a browser (and the desktop app's renderer): the page's own
// timers, and the system's wall clock.
import { timerPortOf } from '../../engine/ports.ts';

export const webTimers = timerPortOf(globalThis);

export const webClock = { now: (): number => Date.now() };
