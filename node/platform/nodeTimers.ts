// The timer and clock ports on Node: its own timers, and the system's wall clock.
import { timerPortOf } from '../../engine/ports.ts';

export const nodeTimers = timerPortOf(globalThis);

export const nodeClock = { now: (): number => Date.now() };
