// A Web Worker for one job of machine work (work.ts starts it and ends it): a pow search in
// chunks with progress, or a compute job. Nothing here touches the page or the ledger.
import { computeRun, powSearch, type WorkReply, type WorkRequest } from './work.ts';

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<WorkRequest>) => void) | null;
  postMessage(message: WorkReply): void;
};

scope.onmessage = (event) => {
  const request = event.data;
  try {
    if (request.kind === 'pow') {
      for (const step of powSearch({ data: request.data, difficulty: request.difficulty })) {
        scope.postMessage({ kind: 'progress', tried: step.tried });
        if (step.nonce) return scope.postMessage({ kind: 'nonce', nonce: step.nonce });
      }
      return;
    }
    const { output, hash } = computeRun({ fn: request.fn, input: request.input });
    scope.postMessage({ kind: 'computed', output, hash });
  } catch (error) {
    scope.postMessage({
      kind: 'error',
      message: error instanceof Error ? error.message : String(error),
    });
  }
};
