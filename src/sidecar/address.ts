import * as path from 'node:path';
import { canonicalIp } from '../core/ip';

/**
 * Where a sidecar listens and where clients find it. A Unix socket by default (a named pipe on Windows);
 * TCP only when asked for, on the loopback address unless a host is given.
 *
 *   /run/ftpflow/sidecar.sock   a Unix socket (any path with a slash; relative paths are made absolute)
 *   \\.\pipe\ftpflow-sidecar    a Windows named pipe
 *   tcp:PORT                    TCP on 127.0.0.1
 *   tcp:HOST:PORT, HOST:PORT    TCP; an IPv6 host in brackets: tcp:[::1]:7021
 */
export type SidecarAddress =
  | { kind: 'unix'; path: string }
  | { kind: 'pipe'; path: string }
  | { kind: 'tcp'; host: string; port: number };

export const DEFAULT_UNIX_SOCKET = '/run/ftpflow/sidecar.sock';
export const DEFAULT_WINDOWS_PIPE = '\\\\.\\pipe\\ftpflow-sidecar';
/** Overrides the default address (both for `ftpflow sidecar` and for clients with --sidecar auto). */
export const SOCKET_ENV = 'FTPFLOW_SIDECAR_SOCKET';
/** sun_path holds 108 bytes on Linux (104 on the BSDs), the terminating NUL included. */
const MAX_UNIX_PATH_BYTES = 103;

export function defaultAddress(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): SidecarAddress {
  const override = env[SOCKET_ENV];
  if (override) {
    const a = parseAddress(override, platform);
    if (typeof a !== 'string') return a;
  }
  return platform === 'win32' ? { kind: 'pipe', path: DEFAULT_WINDOWS_PIPE } : { kind: 'unix', path: DEFAULT_UNIX_SOCKET };
}

/** The address `text` names, or why it names none. */
export function parseAddress(text: string, platform: NodeJS.Platform = process.platform): SidecarAddress | string {
  const t = text.trim();
  if (t === '') return 'empty sidecar address';
  if (/^(\\\\|\/\/)[.?][\\/]pipe[\\/]./i.test(t)) return { kind: 'pipe', path: t.replace(/\//g, '\\') };
  const tcp = /^tcp:(.+)$/i.exec(t);
  if (tcp) return parseHostPort(tcp[1]!, true);
  if (/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):\d+$/.test(t) && !t.includes('/')) return parseHostPort(t, false);
  if (t.includes('/') || t.includes('\\') || t.endsWith('.sock')) {
    if (platform === 'win32') return `"${t}" is not a named pipe (\\\\.\\pipe\\NAME) or tcp:HOST:PORT`;
    const abs = path.resolve(t);
    if (Buffer.byteLength(abs) > MAX_UNIX_PATH_BYTES) return `socket path "${abs}" is longer than ${MAX_UNIX_PATH_BYTES} bytes`;
    return { kind: 'unix', path: abs };
  }
  return `"${t}" is not a socket path, a named pipe or tcp:HOST:PORT`;
}

function parseHostPort(text: string, portAlone: boolean): SidecarAddress | string {
  if (portAlone && /^\d+$/.test(text)) return tcpAddress('127.0.0.1', text);
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d+)$/.exec(text);
  if (!m) return `"${text}" is not HOST:PORT`;
  const host = m[1] ?? m[2]!;
  if (m[1] !== undefined && canonicalIp(host) === null) return `"${host}" is not an IPv6 address`;
  return tcpAddress(host === 'localhost' ? '127.0.0.1' : canonicalIp(host) ?? host, m[3]!);
}

function tcpAddress(host: string, portText: string): SidecarAddress | string {
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return `port ${portText} is out of range (1-65535)`;
  return { kind: 'tcp', host, port };
}

export function describeAddress(a: SidecarAddress): string {
  if (a.kind === 'tcp') return `tcp:${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`;
  return a.path;
}

/** True for TCP on a loopback address (anything else exposes the sessions to the network). */
export function isLoopback(a: SidecarAddress): boolean {
  if (a.kind !== 'tcp') return true;
  return a.host === '::1' || a.host.startsWith('127.');
}
