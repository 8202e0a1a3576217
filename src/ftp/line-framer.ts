import type { FrameNo } from '../core/types';
import { indexOfByte } from '../core/byte-methods';
import type { Counters } from '../core/counters';
import type { ByteSink } from '../reassembly/direction';

/** What a control direction's bytes turn into. */
export interface LineHandler {
  /** A complete line (LF or CRLF removed), and the frame that carried its last byte. */
  onLine(line: string, frameNo: FrameNo): void;
  /** TLS records started where a line should have (AUTH TLS answered, or implicit TLS). */
  onTlsDetected(): void;
  /** Clear text came back after TLS records (CCC). */
  onClearTextResumed(): void;
}

/** Longest control line kept, in bytes (Suricata's default max-line-length). Longer lines are dropped. */
export const MAX_LINE_BYTES = 4096;

/** First size of a direction's line buffer. */
const INITIAL_LINE_BYTES = 128;
const LF = 0x0a;
const CR = 0x0d;
const IAC = 0xff;
const TLS_HEADER_BYTES = 5;

/**
 * Turns one direction of a control connection into lines. It also walks TLS records once the
 * control channel is encrypted, so that clear text after CCC is noticed at a record boundary.
 * Memory: one line buffer per direction that starts small and doubles up to MAX_LINE_BYTES
 * (most sessions never need more than a hundred bytes, and a sidecar holds tens of thousands).
 */
export class LineFramer implements ByteSink {
  private mode: 'lines' | 'tls' = 'lines';
  private line = Buffer.allocUnsafe(INITIAL_LINE_BYTES);
  private lineLen = 0;
  private discarding = false;    // inside an over-long line: drop up to the next LF
  private iacSkip = 0;           // Telnet IAC state (client side): -1 after IAC, N > 0 option bytes still to drop
  private tlsRemaining = 0;      // bytes of the current TLS record still to skip
  private readonly tlsHeader = Buffer.alloc(TLS_HEADER_BYTES);
  private tlsHeaderLen = 0;

  constructor(
    private readonly handler: LineHandler,
    private readonly counters: Counters,
    /** Client commands may carry Telnet IAC sequences (around ABOR): strip them. */
    private readonly stripTelnet: boolean,
  ) {}

  /** Switches to TLS record walking (the server answered 234 to AUTH). */
  startTls(): void {
    this.mode = 'tls';
    this.resetLine();
    this.tlsRemaining = 0;
    this.tlsHeaderLen = 0;
  }

  get inTls(): boolean {
    return this.mode === 'tls';
  }

  onBytes(bytes: Uint8Array, frameNo: FrameNo): void {
    let i = 0;
    while (i < bytes.length) {
      i = this.mode === 'lines' ? this.feedLines(bytes, i, frameNo) : this.feedTls(bytes, i, frameNo);
    }
  }

  onGap(_lost: number): void {
    if (this.mode === 'tls') {
      // Record boundaries are lost with the bytes; the next header check will resynchronise or
      // (wrongly but harmlessly) treat the bytes as clear text that does not parse.
      this.tlsRemaining = 0;
      this.tlsHeaderLen = 0;
      return;
    }
    if (this.lineLen > 0 || this.discarding) this.counters.inc('ftp.line.gap_discarded');
    this.resetLine();
  }

  /** Consumes line bytes from `start`; returns where it stopped (after one line, so a mode change takes effect). */
  private feedLines(bytes: Uint8Array, start: number, frameNo: FrameNo): number {
    if (this.lineLen === 0 && !this.discarding && looksLikeTlsRecord(bytes, start)) {
      this.handler.onTlsDetected();
      if (this.mode === 'lines') this.startTls();
      return start;
    }
    const lf = indexOfByte(bytes, LF, start);
    const end = lf < 0 ? bytes.length : lf;
    this.append(bytes, start, end);
    if (lf < 0) return bytes.length;
    if (this.discarding) {
      this.discarding = false;
    } else {
      let len = this.lineLen;
      if (len > 0 && this.line[len - 1] === CR) len--;
      const text = this.line.toString('utf8', 0, len);
      this.lineLen = 0;
      this.handler.onLine(text, frameNo);
    }
    this.lineLen = 0;
    return lf + 1;
  }

  private append(bytes: Uint8Array, start: number, end: number): void {
    if (this.discarding) return;
    for (let i = start; i < end; i++) {
      const b = bytes[i]!;
      if (this.stripTelnet && (this.iacSkip !== 0 || b === IAC)) {
        if (this.skipTelnet(b)) continue;
      }
      // The cap counts the line's text; room is kept for the CR of its CRLF.
      if (this.lineLen > MAX_LINE_BYTES || (this.lineLen === MAX_LINE_BYTES && b !== CR)) {
        this.counters.inc('ftp.line.too_long');
        this.discarding = true;
        this.lineLen = 0;
        return;
      }
      if (this.lineLen === this.line.length) this.grow();
      this.line[this.lineLen++] = b;
    }
  }

  /** Telnet IAC handling for one byte; true = the byte is dropped. IAC IAC is a literal 0xff. */
  private skipTelnet(b: number): boolean {
    if (this.iacSkip === -1) {            // byte after IAC
      if (b === IAC) { this.iacSkip = 0; return false; }
      this.iacSkip = b >= 0xfb && b <= 0xfe ? 1 : 0; // WILL/WONT/DO/DONT carry one option byte
      return true;
    }
    if (this.iacSkip > 0) { this.iacSkip--; return true; }
    this.iacSkip = -1;                     // b is IAC
    return true;
  }

  /** Skips TLS records; returns where it stopped. Non-record bytes at a boundary = clear text again. */
  private feedTls(bytes: Uint8Array, start: number, frameNo: FrameNo): number {
    let i = start;
    if (this.tlsRemaining > 0) {
      const n = Math.min(this.tlsRemaining, bytes.length - i);
      this.tlsRemaining -= n;
      return i + n;
    }
    while (this.tlsHeaderLen < TLS_HEADER_BYTES && i < bytes.length) this.tlsHeader[this.tlsHeaderLen++] = bytes[i++]!;
    if (this.tlsHeaderLen < TLS_HEADER_BYTES) return i;
    const type = this.tlsHeader[0]!;
    if (type >= 20 && type <= 24 && this.tlsHeader[1] === 3) {
      this.tlsRemaining = (this.tlsHeader[3]! << 8) | this.tlsHeader[4]!;
      this.tlsHeaderLen = 0;
      return i;
    }
    // Not a record header: the peers went back to clear text (CCC). Replay the header bytes as text.
    this.mode = 'lines';
    this.tlsHeaderLen = 0;
    this.handler.onClearTextResumed();
    const header = Buffer.from(this.tlsHeader);
    let j = 0;
    while (j < header.length && this.mode === 'lines') j = this.feedLines(header, j, frameNo);
    return i;
  }

  private grow(): void {
    const bigger = Buffer.allocUnsafe(Math.min(this.line.length * 2, MAX_LINE_BYTES + 1));
    this.line.copy(bigger, 0, 0, this.lineLen);
    this.line = bigger;
  }

  private resetLine(): void {
    this.lineLen = 0;
    this.discarding = false;
    this.iacSkip = 0;
  }
}

/** A TLS record header: content type 20..24, then major version 3. */
function looksLikeTlsRecord(b: Uint8Array, i: number): boolean {
  const type = b[i];
  return type !== undefined && type >= 20 && type <= 24 && (i + 1 >= b.length || b[i + 1] === 3);
}
