// End to end, in headless Chromium: sign here, verify there (issue 18, docs/keys.md). Alice signs
// a text on the app's Sign and verify screen, with no network, and the real `gpow verify` accepts
// the block she copied; a block the real `gpow sign` made in a fresh home verifies in her Verify
// panel, and the same block with one character changed is refused there in a sentence. The
// screen is axe-checked in each state.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from './harness.ts';
import { go, onboard } from './screens.ts';
import { e2eSession } from './session.ts';

const e2e = e2eSession({ timeoutMs: 30_000 });
const { audit, check, openUser, pageErrors } = e2e;

/** The real `gpow` command, `input` on its stdin: its exit code and output. */
function gpow(args: string[], input = '') {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'gpow.js'), ...args], {
      env: { ...process.env, GPOW_PASSPHRASE: 'terminal passphrase' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('sign here, verify there', () => {
  it('verifies the app’s block in the CLI and the CLI’s block in the app', async () => {
    const alice = await openUser('alice');
    const address = await onboard(alice, 'alice passphrase');
    await go(alice, 'Sign and verify');
    await alice.getByRole('heading', { name: 'Sign and verify a message', level: 1 }).waitFor();

    await alice
      .getByLabel('Message', { exact: true })
      .fill('Alice owns this address.\nSigned in the app.');
    await alice.getByRole('button', { name: 'Sign', exact: true }).click();
    const block = await alice
      .getByLabel('Signed message: copy all of it, from BEGIN to END')
      .inputValue();
    await check(alice, 'sign-message-signed');
    const inCli = await gpow(['verify', '--from', address], block);
    expect(inCli.stderr).toBe('');
    expect(inCli.stdout).toBe(
      `Good signature by ${address} on this message:\nAlice owns this address.\nSigned in the app.\n`,
    );

    const home = await mkdtemp(join(tmpdir(), 'gpow-e2e-sign-'));
    try {
      const created = await gpow(['--home', home, '--json', 'identity', 'create', '--fast-kdf']);
      const cli = (JSON.parse(created.stdout.trim().split('\n').pop()!) as { address: string })
        .address;
      const signed = await gpow(['--home', home, 'sign', 'Bob owns this one.']);
      expect(signed.code, signed.stderr).toBe(0);

      const panel = alice.getByRole('form', { name: 'Verify a signed message' });
      await panel.getByLabel('Signed message', { exact: true }).fill(signed.stdout);
      await panel.getByLabel('Expected signer (optional)').fill(cli);
      await panel.getByRole('button', { name: 'Verify' }).click();
      const good = panel.getByRole('status').filter({ hasText: 'Good signature by' });
      await good.getByText(cli).waitFor();
      expect(await good.textContent()).toContain('Bob owns this one.');
      await check(alice, 'verify-message-good');

      await panel
        .getByLabel('Signed message', { exact: true })
        .fill(signed.stdout.replace('Bob owns', 'Eve owns'));
      await panel.getByRole('button', { name: 'Verify' }).click();
      await panel
        .getByRole('alert')
        .filter({ hasText: 'The signature does not match: the message was changed' })
        .waitFor();
      await check(alice, 'verify-message-refused');
    } finally {
      await rm(home, { recursive: true, force: true });
    }

    expect(audit.findings).toEqual([]);
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
