import type * as net from 'node:net';
import { decodeMessage, encodeMessageFrame } from './codec';
import { FrameReader } from './framing';
import type { ErrorCode, Message } from './messages';

/** After an Error is sent, the peer gets this long to read it before the socket is destroyed. */
const LINGER_MS = 1000;

export interface PeerEvents {
  message(m: Message): void;
  /** The stream broke (oversized, malformed frame); the peer is already being closed. */
  bad(code: ErrorCode, why: string): void;
  close(): void;
}

/**
 * One socket speaking the sidecar protocol: whole frames in (decoded and checked), messages out.
 * The first bad frame ends the conversation: an Error goes out, reading stops, the socket closes.
 */
export class FramedPeer {
  private readonly reader: FrameReader;
  private closed = false;

  constructor(readonly socket: net.Socket, maxInboundFrame: number, private readonly events: PeerEvents) {
    this.reader = new FrameReader(maxInboundFrame);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      if (this.closed) return;
      this.closed = true;
      this.events.close();
    });
  }

  get isClosed(): boolean {
    return this.closed || this.socket.destroyed;
  }

  /** Bytes written but not yet taken by the kernel. */
  get queuedBytes(): number {
    return this.socket.writableLength;
  }

  send(m: Message): void {
    this.sendFrame(encodeMessageFrame(m));
  }

  /** A frame encoded once for many peers. */
  sendFrame(frame: Buffer): void {
    if (!this.isClosed && !this.socket.writableEnded) this.socket.write(frame);
  }

  /** Sends an Error and closes; nothing more is read from this peer. */
  fail(code: ErrorCode, message: string): void {
    if (this.isClosed) return;
    this.socket.pause();
    this.socket.removeAllListeners('data');
    if (!this.socket.writableEnded) {
      try {
        this.socket.end(encodeMessageFrame({ kind: 'error', code, message }));
      } catch {
        this.socket.destroy();
      }
    }
    setTimeout(() => this.socket.destroy(), LINGER_MS).unref();
  }

  /** Closes after what is queued has been written. */
  end(): void {
    if (!this.isClosed && !this.socket.writableEnded) this.socket.end();
    setTimeout(() => this.socket.destroy(), LINGER_MS).unref();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    for (const ev of this.reader.push(chunk)) {
      if (this.isClosed) return;
      if (ev.kind === 'bad') {
        this.events.bad(ev.tooLarge ? 'too_large' : 'malformed', ev.why);
        this.fail(ev.tooLarge ? 'too_large' : 'malformed', ev.why);
        return;
      }
      const m = decodeMessage(ev.payload);
      if (m.kind === 'bad') {
        this.events.bad('malformed', m.why);
        this.fail('malformed', m.why);
        return;
      }
      this.events.message(m);
      if (this.socket.readableEnded || this.socket.isPaused()) return;
    }
  }
}
