/**
 * WHATWG streams over anything that reads and writes chunks: sessions on
 * either side of the worker boundary and smux streams offer `readable` and
 * `writable` through this.
 */

/** What the streams drive: read() resolving to null at the end, write(), and close() for cancel and abort. */
export interface StreamEnds {
  read(): Promise<Uint8Array | null>;
  write(chunk: Uint8Array): Promise<void>;
  close(): void;
}

export interface WebStreamsOptions {
  /** What closing `writable` does; close() unless given (a smux stream half-closes instead). */
  end?: () => void | Promise<void>;
  /** The readable's queue in chunks; absent, the WHATWG default. 0 reads only when a reader asks. */
  highWaterMark?: number;
}

/**
 * Both streams, made together on first use of either: a ReadableStream
 * pulls as soon as it exists (unless its high-water mark is 0), so making
 * it early would take messages that read() or `for await` should have.
 */
export class WebStreams {
  private made: { readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> } | null = null;

  constructor(
    private readonly ends: StreamEnds,
    private readonly options: WebStreamsOptions = {},
  ) {}

  get readable(): ReadableStream<Uint8Array> {
    return this.make().readable;
  }

  get writable(): WritableStream<Uint8Array> {
    return this.make().writable;
  }

  private make() {
    if (!this.made) {
      const { ends, options } = this;
      const end = options.end ?? (() => ends.close());
      this.made = {
        readable: new ReadableStream<Uint8Array>(
          {
            pull: async (controller) => {
              const chunk = await ends.read();
              if (chunk === null) controller.close();
              else controller.enqueue(chunk);
            },
            cancel: () => ends.close(),
          },
          options.highWaterMark === undefined ? undefined : { highWaterMark: options.highWaterMark },
        ),
        writable: new WritableStream<Uint8Array>({
          write: (chunk) => ends.write(chunk),
          close: () => end(),
          abort: () => ends.close(),
        }),
      };
    }
    return this.made;
  }
}
