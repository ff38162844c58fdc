// y-webrtc handles signaling in promise callbacks with no error handler, and some of them race
// with connections going away: an answer that arrives after its connection was destroyed
// dereferences a missing entry (y-webrtc.js, `existingConn.glareToken = undefined`). In a
// browser that is a console error; in Node an unhandled rejection ends the process.
//
// A running peer must not die of it, so rejections whose stack lies inside y-webrtc are
// reported as warnings. Every other unhandled rejection still ends the process, as Node's
// default does. (The lasting fix is a provider of our own; see docs/THREAT_MODEL.md.)

let installed = false;

const Y_WEBRTC_FRAME = /node_modules[\\/]y-webrtc[\\/]/;

export function isYWebrtcRace(reason: unknown): boolean {
  return reason instanceof Error && Y_WEBRTC_FRAME.test(reason.stack ?? '');
}

export function tolerateYWebrtcRaces(onWarning: (message: string) => void): void {
  if (installed) return;
  installed = true;
  process.on('unhandledRejection', (reason) => {
    if (isYWebrtcRace(reason)) {
      onWarning(`ignored a y-webrtc signaling race: ${(reason as Error).message}`);
      return;
    }
    // Keep Node's default behaviour for everything else: crash loudly.
    throw reason;
  });
}
