// The e2e project's global set-up: the browser renderer (.vite/web) is built once, before the
// first end-to-end file, instead of again by every file (the same build each time, about 3 to
// 6 s of two cores each). Vitest runs it only when an e2e file is part of the run, a single
// file included.
import { buildWeb } from './harness.ts';

export default async function setup(): Promise<void> {
  await buildWeb();
}
