import type { FrameNo, TimestampNs } from '../core/types';
import type { Counters } from '../core/counters';
import { DirectionReassembler, type QueueBudget, type ReassemblyLimits } from '../reassembly/direction';
import { emptyList } from '../core/empty-list';
import { LineFramer, type LineHandler } from './line-framer';
// From the defining modules, not the wire/ index: its re-exports compile to getters, a generic load per use.
import { parseCommandLine } from './wire/command';
import { parseReplyLine } from './wire/reply';
import { parsePortArg, parseEprtArg, parseLprtArg } from './wire/active';
import { parsePasvReply, parseEpsvReply, parseLpsvReply } from './wire/passive';
import { TRANSFER_VERBS, transferDirection } from './wire/transfer';
import type { HostPort } from './wire/types';
import { ACTIVE_METHODS, type Endpoint, type SessionView, type Setup, type SetupMethod } from './model';

/** What a session tells the tracker that owns it. */
export interface SessionEvents {
  /** The setup's listener address is known: make it matchable. */
  onAnnounce(session: FtpSession, setup: Setup): void;
  /** The server refused the setup (4xx/5xx): stop expecting it. */
  onWithdraw(setup: Setup): void;
  /**
   * Only one direction of this control connection is in the capture, and a setup was seen whose
   * address is in the other: the next new connection between the two hosts may be tied by inference.
   */
  onInferable(session: FtpSession, setup: Setup): void;
  /** A transfer command was tied to a setup (or its final reply arrived). */
  onTransfer(session: FtpSession, setup: Setup): void;
}

/** Commands waiting for a final reply, per session (Zeek's max_pending_commands). Oldest dropped past it. */
export const MAX_PENDING_COMMANDS = 20;
/** PASV/EPSV/LPSV commands waiting for their 227/229/228, per session. Oldest dropped past it. */
export const MAX_AWAITING_PASSIVE = 8;
/** Longest user name kept (Zeek's max_user_length). */
export const MAX_USER_LENGTH = 128;
/** Most lines one multi-line reply may gather before it is cut (its text is only searched for addresses). */
export const MAX_REPLY_LINES = 64;

const PASSIVE_VERB_BY_CODE: Record<number, SetupMethod> = { 227: 'PASV', 228: 'LPSV', 229: 'EPSV' };

/**
 * The state of one FTP control connection: both directions reassembled and framed into lines,
 * commands matched with replies, and every data-connection setup turned into a `Setup`.
 */
export class FtpSession implements SessionView {
  /** Displayed number; see SessionView.id. */
  id: number;
  user: string | null = null;
  tls = false;
  /** Payload bytes seen each way: zero one way means a one-direction (simplex) capture. */
  bytesFromClient = 0;
  bytesFromServer = 0;
  epsvAll = false;
  /** Latest setup: the next transfer command belongs to it. */
  current: Setup | null = null;
  private readonly pending: string[] = emptyList();
  private readonly awaitingPassive: Setup[] = emptyList();
  private replyCode = 0;           // code of the multi-line reply being gathered, 0 if none
  private readonly replyLines: string[] = emptyList();

  readonly fromClient: DirectionReassembler;
  readonly fromServer: DirectionReassembler;
  private readonly clientLines: LineFramer;
  private readonly serverLines: LineFramer;

  constructor(
    readonly key: number,
    id: number,
    readonly client: Endpoint,
    readonly server: Endpoint,
    readonly detected: boolean,
    private readonly events: SessionEvents,
    private readonly counters: Counters,
    limits: ReassemblyLimits,
    budget: QueueBudget,
  ) {
    this.id = id;
    this.clientLines = new LineFramer(this.handlerFor('client'), counters, true);
    this.serverLines = new LineFramer(this.handlerFor('server'), counters, false);
    this.fromClient = new DirectionReassembler(this.clientLines, limits, budget, counters);
    this.fromServer = new DirectionReassembler(this.serverLines, limits, budget, counters);
  }

  /** Frees reassembly memory; the session object may still be referenced by comments. */
  release(): void {
    this.fromClient.release();
    this.fromServer.release();
  }

  expire(now: TimestampNs): void {
    this.fromClient.expire(now);
    this.fromServer.expire(now);
  }

  /** True while either direction holds segments behind a hole (expire() may have work to do). */
  get holeOpen(): boolean {
    return this.fromClient.holeOpen || this.fromServer.holeOpen;
  }

  /** The packet time after which expire() gives up on a hole of either direction; null when there is none. */
  holeDeadline(): TimestampNs | null {
    const a = this.fromClient.holeDeadline();
    const b = this.fromServer.holeDeadline();
    return a === null || (b !== null && b < a) ? b : a;
  }

  /** Current packet time, set by the tracker before it feeds a segment (setups are stamped with it). */
  now: TimestampNs = 0;

  private handlerFor(side: 'client' | 'server'): LineHandler {
    return {
      onLine: (line, frameNo) => (side === 'client' ? this.onCommandLine(line, frameNo) : this.onReplyLine(line, frameNo)),
      onTlsDetected: () => this.enterTls(),
      onClearTextResumed: () => this.counters.inc('ftp.tls.cleared'),
    };
  }

  private enterTls(): void {
    if (!this.tls) this.counters.inc('ftp.tls.started');
    this.tls = true;
    if (!this.clientLines.inTls) this.clientLines.startTls();
    if (!this.serverLines.inTls) this.serverLines.startTls();
  }

  private onCommandLine(line: string, frameNo: FrameNo): void {
    const cmd = parseCommandLine(line);
    if (!cmd) {
      if (line.length > 0) this.counters.inc('ftp.command.bad');
      return;
    }
    const { verb, arg } = cmd;
    this.pending.push(verb);
    if (this.pending.length > MAX_PENDING_COMMANDS) {
      this.pending.shift();
      this.counters.inc('ftp.command.pending_full');
    }
    switch (verb) {
      case 'USER':
        this.user = arg.slice(0, MAX_USER_LENGTH);
        return;
      case 'PORT':
        return this.announceActive('PORT', parsePortArg(arg), frameNo);
      case 'EPRT':
        return this.announceActive('EPRT', parseEprtArg(arg), frameNo);
      case 'LPRT':
        return this.announceActive('LPRT', parseLprtArg(arg), frameNo);
      case 'EPSV':
        if (arg.trim().toUpperCase() === 'ALL') {
          this.epsvAll = true;
          this.counters.inc('ftp.epsv_all');
          return;
        }
        return this.awaitPassive('EPSV');
      case 'PASV':
      case 'LPSV':
        return this.awaitPassive(verb);
      default:
        if (TRANSFER_VERBS.has(verb)) this.attachTransfer(verb, arg, frameNo);
    }
  }

  private announceActive(method: SetupMethod, hp: HostPort | null, frameNo: FrameNo): void {
    if (!hp) {
      this.counters.inc('ftp.setup.bad_port');
      return;
    }
    const setup = this.newSetup(method, frameNo, hp);
    this.current = setup;
    this.events.onAnnounce(this, setup);
  }

  private awaitPassive(method: SetupMethod): void {
    const setup = this.newSetup(method, 0, null);
    this.current = setup;
    this.awaitingPassive.push(setup);
    if (this.awaitingPassive.length > MAX_AWAITING_PASSIVE) this.awaitingPassive.shift();
    // Client side only: the 227/229 will never be seen.
    if (this.bytesFromServer === 0) this.events.onInferable(this, setup);
  }

  private newSetup(method: SetupMethod, frameNo: FrameNo, announced: HostPort | null): Setup {
    return {
      sessionKey: this.key,
      method,
      mode: ACTIVE_METHODS.has(method) ? 'active' : 'passive',
      setupFrame: frameNo,
      announced,
      listenerIps: [],
      announcedAt: this.now,
      pending: false,
      transfer: null,
      uses: 0,
      source: 'capture',
    };
  }

  private attachTransfer(verb: string, arg: string, frameNo: FrameNo): void {
    const setup = this.current;
    if (!setup || setup.transfer) return;
    setup.transfer = { verb, arg, dir: transferDirection(verb), frameNo, replyCode: null };
    this.events.onTransfer(this, setup);
  }

  private onReplyLine(line: string, frameNo: FrameNo): void {
    if (this.replyCode !== 0) {
      // Inside a multi-line reply: it ends at a line with the same code and a space (RFC 959 4.2).
      if (this.replyLines.length < MAX_REPLY_LINES) this.replyLines.push(line);
      const end = parseReplyLine(line);
      if (end && end.code === this.replyCode && !end.more) {
        const code = this.replyCode;
        this.replyCode = 0;
        const text = this.replyLines.join('\n');
        this.replyLines.length = 0;
        this.onReply(code, text, frameNo);
      }
      return;
    }
    const reply = parseReplyLine(line);
    if (!reply) {
      if (line.length > 0) this.counters.inc('ftp.reply.bad');
      return;
    }
    if (reply.more) {
      this.replyCode = reply.code;
      this.replyLines.length = 0;
      this.replyLines.push(line);
      return;
    }
    this.onReply(reply.code, line, frameNo);
  }

  private onReply(code: number, text: string, frameNo: FrameNo): void {
    if (code < 200) return; // preliminary (150 ...): the command still waits for its final reply
    const passiveMethod = PASSIVE_VERB_BY_CODE[code];
    if (passiveMethod) return this.onPassiveReply(code, passiveMethod, text, frameNo);
    if (code === 234) {
      this.takePending((v) => v === 'AUTH');
      this.enterTls();
      return;
    }
    const verb = this.pending.shift();
    if (verb === undefined) {
      if (code === 200 && this.bytesFromClient === 0) return this.onUnseenActiveSetup(text);
      if (code !== 220 && code !== 421) this.counters.inc('ftp.reply.unmatched');
      return;
    }
    if (code >= 400) this.onRefused(verb);
    const setup = this.current;
    if (setup?.transfer && setup.transfer.verb === verb && setup.transfer.replyCode === null) {
      setup.transfer.replyCode = code;
      this.events.onTransfer(this, setup);
    }
  }

  /** Server side only: "200 PORT command successful" says an active setup happened that the capture missed. */
  private onUnseenActiveSetup(text: string): void {
    const m = /\b(PORT|EPRT|LPRT)\b/i.exec(text);
    if (!m) return;
    const setup = this.newSetup(m[1]!.toUpperCase() as SetupMethod, 0, null);
    this.current = setup;
    this.events.onInferable(this, setup);
  }

  private onPassiveReply(code: number, method: SetupMethod, text: string, frameNo: FrameNo): void {
    this.takePending((v) => v === 'PASV' || v === 'EPSV' || v === 'LPSV');
    // The setup the client's PASV/EPSV/LPSV opened; none when only the server side was captured.
    let setup = this.awaitingPassive.shift();
    if (!setup) {
      setup = this.newSetup(method, 0, null);
      this.current = setup;
    }
    const hp = code === 229 ? epsvEndpoint(parseEpsvReply(text), this.server) : code === 227 ? parsePasvReply(text) : parseLpsvReply(text);
    if (!hp) {
      this.counters.inc('ftp.setup.bad_passive_reply');
      return;
    }
    setup.announced = hp;
    setup.setupFrame = frameNo;
    setup.announcedAt = this.now;
    this.events.onAnnounce(this, setup);
  }

  private onRefused(verb: string): void {
    if (verb === 'PORT' || verb === 'EPRT' || verb === 'LPRT') {
      if (this.current && this.current.mode === 'active' && this.current.uses === 0) {
        this.counters.inc('ftp.setup.refused');
        this.events.onWithdraw(this.current);
      }
    } else if (verb === 'PASV' || verb === 'EPSV' || verb === 'LPSV') {
      if (this.awaitingPassive.shift()) this.counters.inc('ftp.setup.refused');
    }
  }

  /** Removes the first pending command that matches, and every older one (their replies were lost). */
  private takePending(match: (verb: string) => boolean): void {
    const i = this.pending.findIndex(match);
    if (i >= 0) this.pending.splice(0, i + 1);
  }
}

/** A 229 reply names only a port: the address is the control connection's server. */
function epsvEndpoint(r: { port: number } | null, server: Endpoint): HostPort | null {
  return r ? { ip: server.ip, port: r.port } : null;
}
