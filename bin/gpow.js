#!/usr/bin/env node
// Launcher for the `gpow` command. The CLI is TypeScript run by Node's built-in type stripping
// (on by default from Node 22.18; older 22.x releases need the flag, so we re-run with it).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

if (!process.features.typescript) {
  const result = spawnSync(
    process.execPath,
    [
      '--experimental-strip-types',
      '--no-warnings',
      fileURLToPath(import.meta.url),
      ...process.argv.slice(2),
    ],
    { stdio: 'inherit' },
  );
  process.exit(result.status ?? 1);
}
const { main } = await import('../node/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
