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
