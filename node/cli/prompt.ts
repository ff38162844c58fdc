// Reading secrets and stdin for the CLI. A passphrase comes from GPOW_PASSPHRASE (for scripts
// and services) or from the terminal with echo off; never from a command-line argument, which
// other users of the machine could see in the process list.
import { createInterface } from 'node:readline';
import { CliError } from './home.ts';

function askHidden(question: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    const write = (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput.bind(
      rl,
    );
    // Echo the question, but not what is typed.
    (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
      if (s.includes(question)) write(question);
    };
    rl.question(question, (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
  });
}

export async function readPassphrase(
  question: string,
  options: { confirm?: boolean } = {},
): Promise<string> {
  const fromEnv = process.env.GPOW_PASSPHRASE;
  if (fromEnv !== undefined) return fromEnv;
  if (!process.stdin.isTTY) {
    throw new CliError('a passphrase is needed: set GPOW_PASSPHRASE or run in a terminal');
  }
  const first = await askHidden(question);
  if (options.confirm && (await askHidden('Repeat it: ')) !== first)
    throw new CliError('the passphrases do not match');
  return first;
}

export async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) {
    process.stderr.write('Type the words, then press Enter and Ctrl+D:\n');
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
