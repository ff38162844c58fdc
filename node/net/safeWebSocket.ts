// y-webrtc encrypts a signaling message asynchronously and then sends it on its signaling
// connection. If that connection is reconnecting by then, the WebSocket is CONNECTING, and
// send() throws (InvalidStateError, in Node as in browsers). The throw happens in a promise
// with no handler, which brings down a Node process.
//
// The sockets lib0's client creates are made to drop sends until they are open instead. Nothing
// is lost that matters: on every (re)connect y-webrtc subscribes and announces again, and the
// peer's watchdog retries a connection whose signaling was cut short.

let installed = false;

/** A WebSocket class whose send() is a no-op unless the socket is open. */
export function safeWebSocketClass(Base: typeof WebSocket): typeof WebSocket {
  return class SafeWebSocket extends Base {
    override send(data: Parameters<WebSocket['send']>[0]): void {
      if (this.readyState === Base.OPEN) super.send(data);
    }
  };
}

/** Installs the safe class as the global WebSocket (which lib0's client uses), once. */
export function installSafeWebSocket(): void {
  if (installed) return;
  installed = true;
  globalThis.WebSocket = safeWebSocketClass(globalThis.WebSocket);
}
