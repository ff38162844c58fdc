// The small part of Hypercore's API the comparison scenario uses (it ships no types).
declare module 'hypercore' {
  interface ReplicationStream {
    pipe<T>(destination: T): T;
    destroy(): void;
    on(event: 'error', listener: (error: Error) => void): this;
  }
  interface Download {
    done(): Promise<void>;
    destroy(): void;
  }
  class Hypercore {
    constructor(storage: string, key?: Uint8Array | null, options?: Record<string, unknown>);
    readonly key: Uint8Array;
    readonly length: number;
    readonly contiguousLength: number;
    ready(): Promise<void>;
    append(blocks: Uint8Array | Uint8Array[]): Promise<{ length: number; byteLength: number }>;
    replicate(isInitiator: boolean, options?: Record<string, unknown>): ReplicationStream;
    download(range?: { start?: number; end?: number }): Download;
    get(index: number): Promise<Uint8Array | null>;
    close(): Promise<void>;
  }
  export default Hypercore;
}
