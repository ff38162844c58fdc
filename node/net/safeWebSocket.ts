// lib0's WebSocket client (under y-webrtc's signaling) trusts its relay more than a peer may:
//
// - y-webrtc encrypts a signaling message asynchronously and then sends it. If the connection
//   is reconnecting by then, the WebSocket is CONNECTING and send() throws (InvalidStateError,
//   in Node as in browsers), in a promise with no handler, which brings down a Node process.
// - lib0 JSON.parses every text frame in its onmessage handler. A relay is anyone's server (an
//   invitation names it), and a frame that is not JSON throws there; in Node an exception
//   thrown by an event handler is an uncaught exception, and the process ends.
//
// The sockets lib0's client creates are therefore made to drop sends until they are open, and
// to drop (and report) a frame their message handler cannot take. Nothing is lost that
// matters: on every (re)connect y-webrtc subscribes and announces again, and the peer's
// watchdog retries a connection whose signaling was cut short.

let installed = false;

type MessageHandler = (event: MessageEvent) => void;

/** A WebSocket class whose send() is a no-op unless the socket is open, and whose onmessage
 * handler cannot throw out of the event dispatch. */
export function safeWebSocketClass(
  Base: typeof WebSocket,
  onDropped: (message: string) => void = () => undefined,
): typeof WebSocket {
  return class SafeWebSocket extends Base {
    #handler: MessageHandler | null = null;

    override send(data: Parameters<WebSocket['send']>[0]): void {
      if (this.readyState === Base.OPEN) super.send(data);
    }

    override get onmessage(): MessageHandler | null {
      return this.#handler;
    }

    override set onmessage(handler: MessageHandler | null) {
      this.#handler = handler;
      super.onmessage =
        handler === null
          ? null
          : (event: MessageEvent): void => {
              try {
                handler.call(this, event);
              } catch (error) {
                onDropped(
                  `dropped a frame from the signaling relay ${this.url} that could not be read ` +
                    `(${error instanceof Error ? error.message : String(error)})`,
                );
              }
            };
    }
  };
}

/** Installs the safe class as the global WebSocket (which lib0's client uses), once. */
export function installSafeWebSocket(onDropped?: (message: string) => void): void {
  if (installed) return;
  installed = true;
  globalThis.WebSocket = safeWebSocketClass(globalThis.WebSocket, onDropped);
}
