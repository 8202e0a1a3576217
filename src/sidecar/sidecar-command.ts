import { FatalError } from '../core/errors';
import type { Log, LogLevel } from '../core/log-file';
import { parsePortList } from '../core/port-list';
import type { CaptureBackend } from '../capture/open-capture';
import { defaultAddress, parseAddress } from './address';
import { DEFAULT_SOCKET_MODE, parseSocketMode } from './socket-security';

/** Options as commander hands them over (`ftpflow sidecar --help` lists them). */
export interface SidecarCliOptions {
  interface: string;
  controlPorts: string;
  detectControl?: boolean;
  listen?: string;
  log?: string;
  socketMode?: string;
  bufferSize?: string;
  logLevel?: string;
}

const LEVELS: Record<LogLevel, number> = { message: 0, info: 1, debug: 2, noisy: 3 };

/** The daemon's diagnostics go to stderr (the journal under systemd); transfers go to --log. */
export function stderrLog(level: LogLevel): Log {
  const write = (l: LogLevel, text: string) => {
    if (LEVELS[l] <= LEVELS[level]) process.stderr.write(`ftpflow sidecar: ${text}\n`);
  };
  return { message: (t) => write('message', t), info: (t) => write('info', t), debug: (t) => write('debug', t), close: () => {} };
}

function backendFromEnv(): CaptureBackend {
  const b = process.env.FTPFLOW_CAPTURE_BACKEND;
  return b === 'libpcap' || b === 'dumpcap' ? b : 'auto';
}

/** Runs `ftpflow sidecar`; bad options are FatalError E_ARGS (exit 2). */
export async function runSidecarCommand(opts: SidecarCliOptions): Promise<number> {
  const ports = parsePortList(opts.controlPorts);
  if (typeof ports === 'string') throw new FatalError('E_ARGS', `--control-ports: ${ports}`);
  const listen = opts.listen === undefined ? defaultAddress() : parseAddress(opts.listen);
  if (typeof listen === 'string') throw new FatalError('E_ARGS', `--listen: ${listen}`);
  const mode = opts.socketMode === undefined ? DEFAULT_SOCKET_MODE : parseSocketMode(opts.socketMode);
  if (typeof mode === 'string') throw new FatalError('E_ARGS', `--socket-mode: ${mode}`);
  const buffer = opts.bufferSize === undefined ? 4 : Number(opts.bufferSize);
  if (!Number.isInteger(buffer) || buffer < 1 || buffer > 1024) throw new FatalError('E_ARGS', '--buffer-size: a whole number of MiB from 1 to 1024');
  const level = (opts.logLevel ?? 'message') as LogLevel;
  if (!(level in LEVELS)) throw new FatalError('E_ARGS', `--log-level: one of ${Object.keys(LEVELS).join(', ')}`);
  const { runSidecarDaemon } = await import('./daemon');
  return runSidecarDaemon({
    device: opts.interface,
    controlPorts: ports,
    detectControl: opts.detectControl === true,
    listen,
    socketMode: mode,
    transferLog: opts.log ?? null,
    backend: backendFromEnv(),
    bufferSizeMiB: buffer,
  }, stderrLog(level));
}
