/**
 * Raw-IP frames (LINKTYPE_RAW) of TCP conversations with true sequence numbers, for feeding the sidecar's
 * engine directly: the unit tests and bench/sidecar-bench.ts. Not a test file itself.
 */
import { buildIp, buildTcp, ACK, FIN, PSH, RST, SYN, PROTO_TCP } from '../../fixtures/gen/packets';

export const LINKTYPE_RAW = 101;

export interface Frame {
  /** Packet time (TimestampNs). */
  ts: number;
  linkType: number;
  data: Uint8Array;
}

export interface Ep {
  ip: string;
  port: number;
}

/** A clock in packet time: every frame is 1 ms after the previous one unless told otherwise. */
export class FrameClock {
  constructor(public ns = 1.7e18) {}

  tick(ms = 1): number {
    this.ns += Math.round(ms * 1e6);
    return this.ns;
  }
}

/** One TCP connection; `a` is the side that sends the SYN. */
export class Tcp {
  private seqA: number;
  private seqB: number;

  constructor(private readonly clock: FrameClock, readonly a: Ep, readonly b: Ep, isnA = 1000, isnB = 50_000) {
    this.seqA = isnA;
    this.seqB = isnB;
  }

  private frame(fromA: boolean, flags: number, payload: Uint8Array): Frame {
    const src = fromA ? this.a : this.b;
    const dst = fromA ? this.b : this.a;
    const seq = fromA ? this.seqA : this.seqB;
    const ack = flags & ACK ? (fromA ? this.seqB : this.seqA) : 0;
    const tcp = buildTcp({ src: src.ip, dst: dst.ip, sport: src.port, dport: dst.port, seq, ack, flags, window: 65535, payload });
    const advance = payload.length + (flags & (SYN | FIN) ? 1 : 0);
    if (fromA) this.seqA = (this.seqA + advance) >>> 0;
    else this.seqB = (this.seqB + advance) >>> 0;
    return { ts: this.clock.tick(), linkType: LINKTYPE_RAW, data: buildIp(src.ip, dst.ip, PROTO_TCP, tcp) };
  }

  handshake(): Frame[] {
    return [this.frame(true, SYN, new Uint8Array(0)), this.frame(false, SYN | ACK, new Uint8Array(0)), this.frame(true, ACK, new Uint8Array(0))];
  }

  /** A data segment from a (`fromA`) or b. */
  send(fromA: boolean, text: string | Uint8Array): Frame {
    const bytes = typeof text === 'string' ? new Uint8Array(Buffer.from(text, 'latin1')) : text;
    return this.frame(fromA, ACK | PSH, bytes);
  }

  /** `n` bytes that happened but were not captured (the sidecar's filter keeps only SYN/FIN/RST). */
  skip(fromA: boolean, n: number): void {
    if (fromA) this.seqA = (this.seqA + n) >>> 0;
    else this.seqB = (this.seqB + n) >>> 0;
  }

  fin(fromA: boolean): Frame {
    return this.frame(fromA, FIN | ACK, new Uint8Array(0));
  }

  rst(fromA: boolean): Frame {
    return this.frame(fromA, RST | ACK, new Uint8Array(0));
  }
}

/** A control connection that speaks FTP: `cmd` from the client, `reply` from the server. */
export class FtpControl {
  readonly tcp: Tcp;

  constructor(clock: FrameClock, readonly client: Ep, readonly server: Ep) {
    this.tcp = new Tcp(clock, client, server);
  }

  open(greeting = '220 ready'): Frame[] {
    return [...this.tcp.handshake(), this.tcp.send(false, `${greeting}\r\n`)];
  }

  cmd(line: string): Frame {
    return this.tcp.send(true, `${line}\r\n`);
  }

  reply(line: string): Frame {
    return this.tcp.send(false, `${line}\r\n`);
  }

  /** A login with a password (the tests check it never leaves the engine). */
  login(user: string, password: string): Frame[] {
    return [this.cmd(`USER ${user}`), this.reply('331 password please'), this.cmd(`PASS ${password}`), this.reply('230 logged in')];
  }

  /** PASV and its 227 reply announcing `ip:port`. */
  pasv(ip: string, port: number): Frame[] {
    return [this.cmd('PASV'), this.reply(`227 Entering Passive Mode (${ip.split('.').join(',')},${port >> 8},${port & 255})`)];
  }

  close(): Frame[] {
    return [this.tcp.fin(true), this.tcp.fin(false)];
  }
}
