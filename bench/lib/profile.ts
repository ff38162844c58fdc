// Optional CPU profiles (--profile): in-process via the inspector, or child peers via
// --cpu-prof. Summarised as the top frames by self time.
import { readdir, readFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { basename, join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
}

const IGNORED = new Set(['(idle)', '(program)', '(root)']);

/**
 * Top `count` frames by self time, as "share% name (file:line)"; shares are of the busy time
 * (idle excluded). A native frame is shown with the JS function that called it.
 */
export function topFrames(profile: CpuProfile, count = 6): string[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, ProfileNode>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parentOf.set(child, node);
  const label = (node: ProfileNode): string => {
    const { functionName, url, lineNumber } = node.callFrame;
    const name = functionName || '(anonymous)';
    if (url) return `${name} (${basename(url)}:${lineNumber + 1})`;
    const parent = parentOf.get(node.id);
    return parent?.callFrame.url ? `${name} [native] in ${label(parent)}` : `${name} [native]`;
  };
  const self = new Map<string, number>();
  let busy = 0;
  const deltas = profile.timeDeltas ?? [];
  (profile.samples ?? []).forEach((id, i) => {
    const node = byId.get(id);
    if (!node || IGNORED.has(node.callFrame.functionName)) return;
    const name = label(node);
    const dt = deltas[i] ?? 0;
    self.set(name, (self.get(name) ?? 0) + dt);
    busy += dt;
  });
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, us]) => `${((100 * us) / Math.max(busy, 1)).toFixed(1)}% ${name}`);
}

/** Profiles `fn` in this process when enabled; returns its value and the top frames. */
export async function profiled<T>(
  enabled: boolean,
  fn: () => Promise<T>,
): Promise<{ value: T; top: string[] }> {
  if (!enabled) return { value: await fn(), top: [] };
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    const value = await fn();
    const { profile } = (await session.post('Profiler.stop')) as { profile: CpuProfile };
    return { value, top: topFrames(profile) };
  } finally {
    session.disconnect();
  }
}

/** Summaries of every .cpuprofile a child wrote into `dir`. */
export async function childProfiles(dir: string): Promise<Array<{ file: string; top: string[] }>> {
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) =>
    f.endsWith('.cpuprofile'),
  );
  const out: Array<{ file: string; top: string[] }> = [];
  for (const file of files) {
    const profile = JSON.parse(await readFile(join(dir, file), 'utf8')) as CpuProfile;
    out.push({ file, top: topFrames(profile) });
  }
  return out;
}

export const cpuProfArgs = (dir: string): string[] => ['--cpu-prof', '--cpu-prof-dir', dir];

/**
 * The longest stretch of busy samples in a profile (what a long task is made of) and its top
 * frames by inclusive time: each sample's time goes to its frame and every caller, once.
 */
export function longestStretch(profile: CpuProfile, count = 12): { ms: number; frames: string[] } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, ProfileNode>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parentOf.set(child, node);
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  const idle = (i: number) => byId.get(samples[i] as number)?.callFrame.functionName === '(idle)';
  let best = { from: 0, to: 0, us: 0 };
  for (let i = 0; i < samples.length;) {
    if (idle(i)) {
      i++;
      continue;
    }
    let j = i;
    let us = 0;
    while (j < samples.length && !idle(j)) us += deltas[++j] ?? 0;
    if (us > best.us) best = { from: i, to: j, us };
    i = j;
  }
  const inclusive = new Map<string, number>();
  for (let i = best.from; i < best.to; i++) {
    const seen = new Set<string>();
    for (let node = byId.get(samples[i] as number); node; node = parentOf.get(node.id)) {
      const { functionName, url, lineNumber } = node.callFrame;
      if (functionName === '(root)') continue;
      const name = `${functionName || '(anonymous)'}${url ? ` (${basename(url)}:${lineNumber + 1})` : ''}`;
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + (deltas[i + 1] ?? 0));
    }
  }
  const frames = [...inclusive.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, us]) => `${(us / 1000).toFixed(0)} ms ${name}`);
  return { ms: best.us / 1000, frames };
}
