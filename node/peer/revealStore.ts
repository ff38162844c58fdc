// The consumer's selection secrets (docs/dnec-selection.md), kept in the data directory so a
// restarted peer can still reveal. A secret is written before its commitment is published, and
// writes are serialised: several requests in flight must not race on the file.
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errorCode } from '../storage/fsHelpers.ts';

export class RevealStore {
  readonly #path: string;
  #saving: Promise<void> = Promise.resolve();

  constructor(dataDir: string) {
    this.#path = join(dataDir, 'reveals.json');
  }

  async load(): Promise<Record<string, string>> {
    try {
      return JSON.parse(await readFile(this.#path, 'utf8')) as Record<string, string>;
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return {};
      throw error;
    }
  }

  /** Adds the secret for a commitment (both hex); resolves once it is on disk. */
  save(commitment: string, reveal: string): Promise<void> {
    const save = this.#saving.then(async () => {
      const all = { ...(await this.load()), [commitment]: reveal };
      const temp = `${this.#path}.tmp`;
      await writeFile(temp, JSON.stringify(all), { mode: 0o600 });
      await rename(temp, this.#path);
    });
    this.#saving = save.catch(() => undefined);
    return save;
  }
}
