// Peak resident memory of this process. On Linux, getrusage's maxRSS survives exec, so a child
// spawned by a large parent reports the parent's size; /proc/self/status VmHWM does not.
import { readFileSync } from 'node:fs';

export function peakRssBytes(): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]) * 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS * 1024;
}

/** The same, as source for `node -e`. */
export const PEAK_RSS_SOURCE = `(() => {
  try {
    const m = /VmHWM:\\s+(\\d+) kB/.exec(require('node:fs').readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {}
  return process.resourceUsage().maxRSS * 1024;
})()`;
