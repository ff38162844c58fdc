// `npm test`'s static checks, side by side on the two cores, instead of one after another:
// ESLint (type-aware, the longest) on one, and the type checks, the layer check and Prettier's
// check on the other. Measured one by one (CPU seconds, this machine under load): eslint 157,
// tsc 64 (shared 13.5 and the rest 50), depcruise 25, prettier 47; with Prettier beside ESLint
// the first job took 204 of them and the second 89. Each job's output is printed whole when it
// ends, so the log reads as it did; the first failure is reported and the exit code is non-zero.
import { spawn } from 'node:child_process';

const JOBS: readonly (readonly string[])[] = [
  ['lint:code'],
  ['typecheck', 'cycles', 'lint:format'],
];

function runScript(name: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', name], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/** The scripts of one job, in order, stopping at the first that fails. */
async function runJob(scripts: readonly string[]): Promise<boolean> {
  for (const name of scripts) {
    const started = Date.now();
    const { code, output } = await runScript(name);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    process.stdout.write(`\n> npm run ${name} (${seconds} s, exit ${code})\n${output}`);
    if (code !== 0) return false;
  }
  return true;
}

const results = await Promise.all(JOBS.map(runJob));
if (results.includes(false)) {
  process.stderr.write('\nA static check failed (see above).\n');
  process.exit(1);
}
