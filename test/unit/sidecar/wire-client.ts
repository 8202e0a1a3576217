/**
 * A raw protocol client for the tests: a real socket, our framing and codec, every message kept, and
 * bounded waits. Lets a test send anything — including garbage — and see what the sidecar answers.
 * Not a test file itself.
 */
import * as net from 'node:net';
import { decodeMessage, encodeMessageFrame } from '../../../src/sidecar/codec';
import { FrameReader } from '../../../src/sidecar/framing';
import { MAX_FRAME_BYTES, type Message } from '../../../src/sidecar/messages';

export class WireClient {
  readonly messages: Message[] = [];
  readonly bad: string[] = [];
  closed = false;
  private readonly reader = new FrameReader(MAX_FRAME_BYTES);
  private readonly waiters = new Set<() => void>();

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const ev of this.reader.push(chunk)) {
        if (ev.kind === 'bad') this.bad.push(ev.why);
        else {
          const m = decodeMessage(ev.payload);
          if (m.kind === 'bad') this.bad.push(m.why);
          else this.messages.push(m);
        }
      }
      this.wake();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  static connect(path: string): Promise<WireClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ path });
      s.once('connect', () => resolve(new WireClient(s)));
      s.once('error', reject);
    });
  }

  send(m: Message): void {
    this.socket.write(encodeMessageFrame(m));
  }

  write(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  hello(role: 'extcap' | 'viewer' | 'sidecar' = 'extcap', version = 1, nextFreeId = 0): void {
    this.send({ kind: 'hello', hello: { protocolVersion: version, software: 'test', role, instance: '', nextFreeId } });
  }

  /** Resolves when `pred` holds, rejects after `ms`. */
  until(pred: () => boolean, ms = 3000, what = 'condition'): Promise<void> {
    if (pred()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!pred()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out waiting for ${what}; got ${this.messages.length} messages (last ${this.messages.at(-1)?.kind ?? 'none'}), bad ${JSON.stringify(this.bad)}, closed ${this.closed}`));
      }, ms);
      this.waiters.add(check);
    });
  }

  /** The snapshot is whole (the last part arrived). */
  get snapshotDone(): boolean {
    return this.messages.some((m) => m.kind === 'snapshot' && m.snapshot.last);
  }

  errorCode(): string | null {
    const e = this.messages.find((m) => m.kind === 'error');
    return e && e.kind === 'error' ? e.code : null;
  }

  destroy(): void {
    this.socket.destroy();
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}
