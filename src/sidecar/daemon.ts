import { randomBytes } from 'node:crypto';
import { openCapture, type CaptureBackend } from '../capture/open-capture';
import type { LiveCapture } from '../capture/live-source';
import type { Log } from '../core/log-file';
import { packageInfo } from '../core/package-info';
import { describeAddress, isLoopback, type SidecarAddress } from './address';
import { sidecarCaptureFilter } from './capture-filter';
import { SidecarCore } from './core';
import { JsonlWriter } from './jsonl-writer';
import { SidecarServer } from './server';
import { Counters } from '../core/counters';

export interface DaemonOptions {
  device: string;
  controlPorts: ReadonlySet<number>;
  detectControl: boolean;
  listen: SidecarAddress;
  socketMode: number;
  /** The transfer log (JSON lines); null = none. */
  transferLog: string | null;
  backend: CaptureBackend;
  bufferSizeMiB: number;
}

/** Control lines must arrive whole: the sidecar keeps full packets (its filter keeps the rate low). */
const SNAPLEN = 65535;
const TICK_MS = 1000;
const STATS_EVERY_MS = 60_000;

/**
 * `ftpflow sidecar`: capture control traffic and the SYN/FIN/RST of everything else on one device, run
 * the engine, serve its sessions on the socket and write the transfer log, in the foreground until
 * SIGTERM/SIGINT (exit 0). SIGHUP reopens the transfer log (logrotate). Rejects with FatalError when it
 * cannot start (unsafe socket folder, another sidecar, capture refused).
 */
export async function runSidecarDaemon(o: DaemonOptions, log: Log): Promise<number> {
  const software = `ftpflow ${packageInfo().version}`;
  const stats = new Counters();
  const writer = o.transferLog ? new JsonlWriter(o.transferLog, (m) => log.message(m)) : null;
  const core = new SidecarCore({
    controlPorts: o.controlPorts,
    detectControl: o.detectControl,
    transferSink: writer ?? undefined,
    logError: (frameNo, err) => log.message(`internal error on frame ${frameNo}: ${err instanceof Error ? err.stack : String(err)}`),
  });
  const server = new SidecarServer(o.listen, o.socketMode, {
    snapshotParts: () => core.state.snapshotParts(),
    reserveIds: (n) => core.ids.reserve(n),
    raiseIds: (n) => core.ids.raiseTo(n),
    subscribe: (l) => core.subscribe(l),
  }, log, stats, { software, instance: randomBytes(8).toString('hex') });

  if (!isLoopback(o.listen)) log.message(`warning: listening on ${describeAddress(o.listen)}: anyone who can reach it sees every FTP session`);
  await server.listen();
  const filter = sidecarCaptureFilter(o.controlPorts, o.detectControl);
  let capture: LiveCapture;
  try {
    capture = await openCapture({
      device: o.device, filter, snaplen: SNAPLEN, bufferSize: o.bufferSizeMiB * 1024 * 1024,
      immediate: true, timeoutMs: 50, backend: o.backend,
    });
  } catch (err) {
    await server.close();
    throw err;
  }
  for (const w of capture.warnings) log.info(`capture: ${w}`);
  log.message(`${software} sidecar on ${o.device} (${capture.backend}), filter ${JSON.stringify(filter)}, serving ${describeAddress(o.listen)}` +
    (o.transferLog ? `, transfer log ${o.transferLog}` : ''));

  return new Promise<number>((resolve) => {
    let stopped = false;
    const timers = [
      setInterval(() => core.tick(), TICK_MS),
      setInterval(() => logStats(), STATS_EVERY_MS),
    ];
    const logStats = () => {
      if (writer) {
        stats.set('sidecar.transfers_logged', writer.lines);
        stats.set('sidecar.transfers_log_dropped', writer.dropped);
      }
      log.info(`sessions ${core.state.sessionCount}, pending ${core.state.pendingCount}, clients ${server.clientCount}, ` +
        `frames ${core.framesSeen}; ${JSON.stringify(stats.snapshot())}; engine ${JSON.stringify(core.engine.counters.snapshot())}`);
    };
    const stop = async (why: string, code: number) => {
      if (stopped) return;
      stopped = true;
      for (const t of timers) clearInterval(t);
      process.off('SIGHUP', onHup);
      capture.close();
      core.finish();
      logStats();
      await server.close();
      await writer?.close();
      log.message(`stopped: ${why}`);
      resolve(code);
    };
    const onHup = () => {
      writer?.reopen();
      log.info('transfer log reopened');
    };
    process.once('SIGTERM', () => void stop('SIGTERM', 0));
    process.once('SIGINT', () => void stop('SIGINT', 0));
    process.on('SIGHUP', onHup);
    capture.start((pkts) => {
      for (const p of pkts) core.feed(Number(p.tsNs), capture.linkType, p.data);
    }, (message) => void stop(`capture failed: ${message}`, 1));
  });
}
