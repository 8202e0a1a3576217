import type { FrameNo, TimestampNs } from '../core/types';

/** One end of a TCP connection; `ip` in canonical text (core/ip.ts). */
export interface Endpoint { ip: string; port: number }

export type DataMode = 'active' | 'passive';
export type SetupMethod = 'PORT' | 'EPRT' | 'LPRT' | 'PASV' | 'EPSV' | 'LPSV';
export type Confidence = 'exact' | 'nat' | 'inferred';

export const ACTIVE_METHODS: ReadonlySet<SetupMethod> = new Set(['PORT', 'EPRT', 'LPRT']);

/** The transfer command (RETR, STOR, LIST, ...) that uses a data connection. */
export interface TransferCommand {
  verb: string;
  arg: string;
  dir: 'down' | 'up' | null;
  frameNo: FrameNo;
  /** Final reply to the command (226, 426, 550, ...), once seen. */
  replyCode: number | null;
}

/**
 * One data-connection setup: a PORT/EPRT/LPRT command, or a PASV/EPSV/LPSV command and its reply.
 * It becomes an expectation (something a connection can match) once the listener's address is known.
 */
export interface Setup {
  /** Internal key of the owning session (stable; the displayed session id may change, see SessionView). */
  readonly sessionKey: number;
  readonly method: SetupMethod;
  readonly mode: DataMode;
  /** Frame of the PORT/EPRT/LPRT command or of the 227/228/229 reply; 0 while a passive reply is awaited. */
  setupFrame: FrameNo;
  /** Address and port the setup announced; null while a passive reply is awaited. */
  announced: Endpoint | null;
  /** Addresses a connection may reach the listener on: the announced one and the control peer's (NAT). */
  listenerIps: string[];
  /** Packet time the announcement was seen (expectation time-outs count from here). */
  announcedAt: TimestampNs;
  /** True while the setup sits in the expectation table. */
  pending: boolean;
  transfer: TransferCommand | null;
  /** Data connections that used this setup (normally one). */
  uses: number;
  /** Where the setup came from: this capture, or a sidecar snapshot. */
  source: 'capture' | 'sidecar';
}

/** Read-only facts about a control session, for comments and observers. */
export interface SessionView {
  /** Internal key: unique within one tracker, never changes. */
  readonly key: number;
  /**
   * The session number comments show. Local numbering (1, 2, …) without a sidecar; with one, the
   * sidecar's number, which may replace a provisional local one before the first comment is fixed.
   */
  readonly id: number;
  readonly client: Endpoint;
  readonly server: Endpoint;
  readonly user: string | null;
  readonly tls: boolean;
  readonly detected: boolean;
}
