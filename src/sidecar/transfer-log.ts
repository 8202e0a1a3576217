import type { Connection, DataConnection } from '../ftp/connections';
import type { Setup } from '../ftp/model';
import type { FtpSession } from '../ftp/session';
import type { TrackerObserver } from '../ftp/tracker';
import type { TransferStatus, Update } from './messages';

/** How long a closed data connection waits for its transfer's final reply before it is logged anyway. */
export const REPLY_WAIT_MS = 10_000;
/** Data connections waiting to be logged at once; past it the oldest is logged as it stands. */
export const MAX_OPEN_RECORDS = 100_000;

/**
 * One line of the transfer log: one data connection. Field names follow Zeek's ftp.log where one
 * fits (`id.*` are the control connection, `data_channel.*` the data connection, orig = the side that
 * connected); the rest are ftpflow's. There is no password field, and nothing that could hold one.
 */
export interface TransferRecord {
  /** Seconds since the Unix epoch (µs precision) of the data connection's first packet. */
  ts: number;
  session: number;
  'id.orig_h': string;
  'id.orig_p': number;
  'id.resp_h': string;
  'id.resp_p': number;
  user: string | null;
  command: string | null;
  arg: string | null;
  reply_code: number | null;
  'data_channel.passive': boolean;
  'data_channel.orig_h': string;
  'data_channel.orig_p': number;
  'data_channel.resp_h': string;
  'data_channel.resp_p': number;
  mode: 'active' | 'passive';
  method: string;
  bytes_to_server: number;
  bytes_to_client: number;
  /** Seconds from the first packet to the close (or the last packet seen). */
  duration: number;
  status: TransferStatus;
  /** The control channel was encrypted: command, argument and reply could not be seen. */
  tls: boolean;
}

interface OpenRecord {
  conn: DataConnection;
  /** Wall-clock ms when the data connection closed; null while open. */
  closedAtMs: number | null;
}

/** Where finished records go: a line writer (the --log file) and the update stream. */
export interface TransferSink {
  write(record: TransferRecord): void;
}

/**
 * Decides when a data connection's record is final and builds it. Final = the connection closed (RST or
 * both FINs) AND its transfer command's final reply arrived — in either order — or the reply did not
 * come within REPLY_WAIT_MS of the close (tick), or the connection left the tracker (idle time-out,
 * end of input). Bytes come from sequence numbers, so SYN/FIN/RST packets alone are enough.
 */
export class TransferLog implements TrackerObserver {
  private readonly open = new Map<DataConnection, OpenRecord>();
  private readonly bySetup = new Map<Setup, DataConnection[]>();
  written = 0;

  constructor(
    private readonly sink: TransferSink,
    private readonly emit: (u: Update) => void = () => {},
    private readonly expectationId: (setup: Setup) => number = () => 0,
    private readonly nowMs: () => number = Date.now,
    private readonly replyWaitMs = REPLY_WAIT_MS,
  ) {}

  get openCount(): number {
    return this.open.size;
  }

  onDataConnection(conn: DataConnection): void {
    this.open.set(conn, { conn, closedAtMs: null });
    const list = this.bySetup.get(conn.setup);
    if (list) list.push(conn);
    else this.bySetup.set(conn.setup, [conn]);
    while (this.open.size > MAX_OPEN_RECORDS) {
      const oldest = this.open.keys().next().value as DataConnection;
      this.finish(oldest);
    }
  }

  onDataClosed(conn: DataConnection): void {
    const rec = this.open.get(conn);
    if (!rec) return;
    rec.closedAtMs = this.nowMs();
    if (replyOf(conn) !== null || conn.session.tls) this.finish(conn);
  }

  onTransfer(_session: FtpSession, setup: Setup): void {
    if (setup.transfer?.replyCode == null) return;
    for (const conn of this.bySetup.get(setup) ?? []) {
      if (this.open.get(conn)?.closedAtMs != null) this.finish(conn);
    }
  }

  onConnectionEnd(conn: Connection): void {
    if (conn.kind === 'data' && this.open.has(conn)) this.finish(conn);
  }

  /** Logs closed connections whose reply did not come in time. Call about once a second. */
  tick(): void {
    const deadline = this.nowMs() - this.replyWaitMs;
    for (const rec of this.open.values()) {
      if (rec.closedAtMs !== null && rec.closedAtMs <= deadline) this.finish(rec.conn);
    }
  }

  /** Logs everything still open (shutdown). */
  flush(): void {
    for (const conn of [...this.open.keys()]) this.finish(conn);
  }

  private finish(conn: DataConnection): void {
    if (!this.open.delete(conn)) return;
    const list = this.bySetup.get(conn.setup);
    if (list) {
      const i = list.indexOf(conn);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.bySetup.delete(conn.setup);
    }
    const record = buildRecord(conn);
    this.written++;
    this.sink.write(record);
    this.emit({
      kind: 'transfer_finished', sessionId: record.session, expectationId: this.expectationId(conn.setup),
      transfer: record.command !== null ? { verb: record.command, arg: record.arg ?? '' } : null,
      replyCode: record.reply_code, bytesToServer: record.bytes_to_server, bytesToClient: record.bytes_to_client,
      status: record.status,
    });
  }
}

function replyOf(conn: DataConnection): number | null {
  return conn.setup.transfer?.replyCode ?? null;
}

export function transferStatus(replyCode: number | null): TransferStatus {
  if (replyCode === null) return 'unknown';
  return replyCode >= 200 && replyCode < 300 ? 'complete' : 'aborted';
}

/** Seconds with µs digits, as Zeek logs times. */
const nsToSeconds = (ns: number): number => Math.floor(ns / 1000) / 1e6;

export function buildRecord(conn: DataConnection): TransferRecord {
  const { setup, session } = conn;
  const t = setup.transfer;
  const passive = setup.mode === 'passive';
  // The FTP server listens in passive mode and connects in active mode.
  const toServer = passive ? conn.toListener.bytes : conn.toConnector.bytes;
  const toClient = passive ? conn.toConnector.bytes : conn.toListener.bytes;
  const end = conn.closedAt ?? conn.lastSeen;
  const reply = t?.replyCode ?? null;
  return {
    ts: nsToSeconds(conn.firstSeen),
    session: session.id,
    'id.orig_h': session.client.ip,
    'id.orig_p': session.client.port,
    'id.resp_h': session.server.ip,
    'id.resp_p': session.server.port,
    user: session.user,
    command: t ? t.verb : null,
    arg: t ? t.arg : null,
    reply_code: reply,
    'data_channel.passive': passive,
    'data_channel.orig_h': conn.connector.ip,
    'data_channel.orig_p': conn.connector.port,
    'data_channel.resp_h': conn.listener.ip,
    'data_channel.resp_p': conn.listener.port,
    mode: setup.mode,
    method: setup.method,
    bytes_to_server: toServer,
    bytes_to_client: toClient,
    duration: Math.max(0, nsToSeconds(end - conn.firstSeen)),
    status: transferStatus(reply),
    tls: session.tls,
  };
}
