/**
 * Length-delimited frames: a base-128 varint length, then that many bytes (protobuf's delimited form).
 * The reader hands out only whole frames — protobufjs throws on a truncated message, so nothing
 * partial may reach it — and refuses a length over the cap as soon as the prefix is read, before any
 * of the body is buffered.
 */

export type FrameEvent = { kind: 'frame'; payload: Buffer } | { kind: 'bad'; why: string; tooLarge: boolean };

/** A 32-bit length takes at most 5 varint bytes. */
const MAX_PREFIX_BYTES = 5;

export function encodeFrame(payload: Uint8Array): Buffer {
  const prefix: number[] = [];
  let n = payload.length;
  while (n >= 0x80) {
    prefix.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  prefix.push(n);
  const out = Buffer.allocUnsafe(prefix.length + payload.length);
  out.set(prefix, 0);
  out.set(payload, prefix.length);
  return out;
}

type Prefix = { kind: 'need-more' } | { kind: 'bad'; why: string } | { kind: 'ok'; length: number; prefixBytes: number };

/** Reads a frame length from the first bytes of `b`. */
function readPrefix(b: Buffer): Prefix {
  let value = 0;
  for (let i = 0; i < MAX_PREFIX_BYTES; i++) {
    if (i >= b.length) return { kind: 'need-more' };
    const byte = b[i]!;
    value += (byte & 0x7f) * 2 ** (7 * i);
    if ((byte & 0x80) === 0) return { kind: 'ok', length: value, prefixBytes: i + 1 };
  }
  return { kind: 'bad', why: 'frame length prefix longer than 5 bytes' };
}

/**
 * Collects bytes from a stream and cuts them into frames. After a bad event the stream is out of step
 * and the reader refuses everything (the caller closes the connection).
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private broken = false;

  constructor(private readonly maxFrameBytes: number) {}

  /** Bytes received but not yet part of a whole frame. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** Adds bytes; returns the frames they complete, ending with a bad event if the stream broke. */
  push(chunk: Uint8Array): FrameEvent[] {
    if (this.broken) return [];
    if (chunk.length === 0) return [];
    this.chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
    this.buffered += chunk.length;
    const out: FrameEvent[] = [];
    for (;;) {
      const head = this.peek(MAX_PREFIX_BYTES);
      const prefix = readPrefix(head);
      if (prefix.kind === 'need-more') break;
      if (prefix.kind === 'bad') return this.fail(out, prefix.why, false);
      if (prefix.length > this.maxFrameBytes) {
        return this.fail(out, `frame of ${prefix.length} bytes is over the ${this.maxFrameBytes}-byte limit`, true);
      }
      const total = prefix.prefixBytes + prefix.length;
      if (this.buffered < total) break;
      const whole = this.take(total);
      out.push({ kind: 'frame', payload: whole.subarray(prefix.prefixBytes) });
    }
    return out;
  }

  private fail(out: FrameEvent[], why: string, tooLarge: boolean): FrameEvent[] {
    this.broken = true;
    this.chunks = [];
    this.buffered = 0;
    out.push({ kind: 'bad', why, tooLarge });
    return out;
  }

  /** Up to `n` leading bytes (fewer if fewer are buffered), without consuming them. */
  private peek(n: number): Buffer {
    const first = this.chunks[0];
    if (!first) return Buffer.alloc(0);
    if (first.length >= n || this.chunks.length === 1) return first.subarray(0, n);
    return Buffer.concat(this.chunks, Math.min(n, this.buffered)).subarray(0, n);
  }

  /** Removes and returns the first `n` bytes (n <= buffered): one copy at most per frame. */
  private take(n: number): Buffer {
    const first = this.chunks[0]!;
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      out = Buffer.allocUnsafe(n);
      let filled = 0;
      while (filled < n) {
        const c = this.chunks[0]!;
        const use = Math.min(c.length, n - filled);
        c.copy(out, filled, 0, use);
        filled += use;
        if (use === c.length) this.chunks.shift();
        else this.chunks[0] = c.subarray(use);
      }
    }
    this.buffered -= n;
    return out;
  }
}
