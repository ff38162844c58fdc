// Ports: the only ways the pure core touches the outside world. electron/, renderer/, node/
// and tests implement them; shared/ never reaches for a global clock, RNG, disk or socket.

/** Cryptographically secure randomness. */
export interface RandomPort {
  bytes(length: number): Uint8Array;
}

/** Wall-clock time in milliseconds since the Unix epoch. Informational only: never trusted. */
export interface ClockPort {
  now(): number;
}
