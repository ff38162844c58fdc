// Keeps a peer's chat history on its device: once the engine is ready (its SSK session exists),
// opens the chat store over the platform's log (chatStore.ts), unwrapping its key through the
// engine's signer, and attaches it to the session. Every platform calls this the same way:
// node/peer/peer.ts with a file log, renderer/state/appStore.ts with an IndexedDB log (or
// main's file log on the desktop).
import type { KeyHex } from '../shared/ids.ts';
import type { LogStore } from '../shared/storage/port.ts';
import { ChatStore } from './chatStore.ts';
import type { EnginePorts } from './ports.ts';
import type { SskSession } from './ssk.ts';
import { sskOpenerOf } from './sskKeyring.ts';

/** What of the engine this needs (PeerEngine has all of it). */
export interface ChatEngine {
  readonly ports: Pick<EnginePorts, 'signer' | 'random' | 'clock'>;
  readonly address: KeyHex | null;
  readonly networkId: string;
  readonly ssk: SskSession | null;
  ready(): Promise<unknown>;
}

export interface ChatKeeping {
  /** Settles once the history is attached, or known not to be (with the sentence said). */
  readonly attached: Promise<void>;
  /** Waits for every record asked for, then closes the log. Call after the engine closed. */
  close(): Promise<void>;
}

export function keepChats(
  engine: ChatEngine,
  log: LogStore,
  onProblem: (message: string) => void = () => undefined,
): ChatKeeping {
  let store: ChatStore | null = null;
  let closing = false;
  let stop: () => void = () => undefined;
  // The engine may close before it is ever ready: closing must not wait for that.
  const stopped = new Promise<null>((resolve) => (stop = () => resolve(null)));
  const attached = Promise.race([engine.ready(), stopped]).then(async (ready) => {
    const ssk = engine.ssk;
    const opener = sskOpenerOf(engine.ports.signer);
    if (ready === null || closing || !ssk || !opener || !engine.address) return;
    const opened = await ChatStore.open({
      log,
      opener,
      me: engine.address,
      networkId: engine.networkId,
      random: engine.ports.random,
      clock: engine.ports.clock,
    });
    if (!opened.ok) {
      ssk.historyNotKept(opened.error);
      return onProblem(opened.error);
    }
    if (closing) return;
    store = opened.store;
    ssk.keepHistory(opened.store, opened.records, opened.problems);
    for (const problem of opened.problems) onProblem(problem);
  });
  const settled = attached.catch((error: unknown) => {
    const message = `The chat history could not be opened: ${error instanceof Error ? error.message : String(error)}.`;
    engine.ssk?.historyNotKept(message);
    onProblem(message);
  });
  return {
    attached: settled,
    async close() {
      closing = true;
      stop();
      await settled;
      await (store ?? log).close();
    },
  };
}
