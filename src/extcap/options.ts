import { parsePortList } from '../core/port-list';

/**
 * ftpflow's own extcap options: one table that both the argument parser and `--extcap-config` read, so the
 * defaults Wireshark shows are the defaults we apply. Wireshark passes an option only when it has a stored or
 * declared default (and never passes selector defaults), so every option here must work when absent.
 */

export type LogLevel = 'message' | 'info' | 'debug' | 'noisy';
export const LOG_LEVELS: readonly LogLevel[] = ['message', 'info', 'debug', 'noisy'];

/** Where to find the sidecar: the default socket, none at all, or an explicit address (path or host:port). */
export type SidecarSetting = { kind: 'auto' } | { kind: 'off' } | { kind: 'address'; address: string };

export interface ExtcapOptions {
  /** TCP ports whose connections are FTP control sessions. */
  controlPorts: ReadonlySet<number>;
  /** Recognise control sessions on other ports by their greeting or commands. */
  detectControl: boolean;
  /** Bytes kept of each frame. */
  snaplen: number;
  promiscuous: boolean;
  /** Kernel capture buffer, MiB. */
  bufferSizeMiB: number;
  /** Packet-time seconds a frame may wait so a data connection's first packets get the command sent after them. */
  lookaheadSeconds: number;
  sidecar: SidecarSetting;
  logLevel: LogLevel;
  /** Log file; null = no log (stderr is never used during a capture). */
  logFile: string | null;
}

/**
 * dumpcap refuses pcapng blocks over 262 144 bytes (anchors §1.4). An EPB costs 32 bytes plus its options,
 * so the default snaplen leaves 8 KiB for the header and the comment; the writer must still check the total.
 */
export const MAX_BLOCK_BYTES = 262_144;
export const DEFAULT_SNAPLEN = MAX_BLOCK_BYTES - 8192;

export const DEFAULT_OPTIONS: Readonly<ExtcapOptions> = Object.freeze<ExtcapOptions>({
  controlPorts: new Set([21]),
  detectControl: false,
  snaplen: DEFAULT_SNAPLEN,
  promiscuous: true,
  bufferSizeMiB: 16,
  lookaheadSeconds: 1,
  sidecar: { kind: 'auto' },
  logLevel: 'message',
  logFile: null,
});

export function defaultOptions(): ExtcapOptions {
  return { ...DEFAULT_OPTIONS, controlPorts: new Set(DEFAULT_OPTIONS.controlPorts) };
}

/** The extcap `arg` types ftpflow uses (all exist in Wireshark 3.0+). */
export type ArgType = 'string' | 'boolflag' | 'boolean' | 'integer' | 'unsigned' | 'double' | 'selector' | 'fileselect';

/** What `--extcap-config` prints about one option. */
export interface ArgDisplay {
  display: string;
  type: ArgType;
  /** Default in the type's syntax; selectors mark their default on a `value` line instead. */
  default?: string;
  range?: readonly [number, number];
  validation?: string;
  tooltip: string;
  placeholder?: string;
  group: 'Capture' | 'Sidecar' | 'Debug';
  values?: readonly { value: string; display: string; default?: boolean }[];
  mustexist?: boolean;
}

/** How the option takes its value on the command line. */
export type ValueForm =
  | 'value' // --opt VALUE or --opt=VALUE
  | 'flag' // boolflag: present = true; --opt=false also accepted
  | 'bool'; // boolean: --opt true|false, --opt=VALUE, or bare --opt = true

export interface OptionSpec {
  call: `--${string}`;
  form: ValueForm;
  ui: ArgDisplay;
  /** Stores the parsed value; returns null, or the reason the text is bad. */
  apply(options: ExtcapOptions, text: string): string | null;
}

type Parsed<T> = { ok: true; value: T } | { ok: false; why: string };

function spec<K extends keyof ExtcapOptions>(
  key: K,
  call: `--${string}`,
  form: ValueForm,
  parse: (text: string) => Parsed<ExtcapOptions[K]>,
  ui: ArgDisplay,
): OptionSpec {
  return {
    call,
    form,
    ui,
    apply(options, text) {
      const r = parse(text);
      if (!r.ok) return r.why;
      options[key] = r.value;
      return null;
    },
  };
}

/** Boolean words as Wireshark itself reads them (`EXTCAP_BOOLEAN_REGEX`), restricted to the unambiguous ones. */
const TRUE_WORDS = new Set(['true', 'yes', '1', 'on']);
const FALSE_WORDS = new Set(['false', 'no', '0', 'off']);

export function parseBooleanWord(text: string): boolean | null {
  const t = text.trim().toLowerCase();
  if (TRUE_WORDS.has(t)) return true;
  if (FALSE_WORDS.has(t)) return false;
  return null;
}

function booleanValue(text: string): Parsed<boolean> {
  const b = parseBooleanWord(text);
  return b === null ? { ok: false, why: `"${text}" is not true or false` } : { ok: true, value: b };
}

function integerIn(min: number, max: number, unit: string) {
  return (text: string): Parsed<number> => {
    if (!/^\s*\d+\s*$/.test(text)) return { ok: false, why: `"${text}" is not a whole number of ${unit}` };
    const n = Number(text);
    if (n < min || n > max) return { ok: false, why: `${n} is out of range (${min}-${max} ${unit})` };
    return { ok: true, value: n };
  };
}

function secondsIn(min: number, max: number) {
  return (text: string): Parsed<number> => {
    if (!/^\s*(\d+(\.\d*)?|\.\d+)\s*$/.test(text)) return { ok: false, why: `"${text}" is not a number of seconds` };
    const n = Number(text);
    if (n < min || n > max) return { ok: false, why: `${n} is out of range (${min}-${max} seconds)` };
    return { ok: true, value: n };
  };
}

function portList(text: string): Parsed<ReadonlySet<number>> {
  const r = parsePortList(text);
  return typeof r === 'string' ? { ok: false, why: r } : { ok: true, value: r };
}

function sidecarSetting(text: string): Parsed<SidecarSetting> {
  const t = text.trim();
  if (t === '' || t.toLowerCase() === 'auto') return { ok: true, value: { kind: 'auto' } };
  if (['off', 'none', 'no'].includes(t.toLowerCase())) return { ok: true, value: { kind: 'off' } };
  return { ok: true, value: { kind: 'address', address: t } };
}

function logLevel(text: string): Parsed<LogLevel> {
  const t = text.trim().toLowerCase();
  const found = LOG_LEVELS.find((l) => l === t);
  return found ? { ok: true, value: found } : { ok: false, why: `"${text}" is not one of ${LOG_LEVELS.join(', ')}` };
}

function logFile(text: string): Parsed<string | null> {
  return { ok: true, value: text.trim() === '' ? null : text };
}

/** The options, in the order `--extcap-config` numbers them. */
export const OPTION_SPECS: readonly OptionSpec[] = [
  spec('controlPorts', '--control-ports', 'value', portList, {
    display: 'FTP control ports',
    type: 'string',
    default: '21',
    validation: '^ *[0-9]+(-[0-9]+)?( *, *[0-9]+(-[0-9]+)?)* *$',
    placeholder: '21,2121,2100-2110',
    tooltip:
      'TCP ports of FTP control connections: a list with ranges, e.g. 21,2121,2100-2110. ' +
      'A capture filter you set is OR-ed with these ports, so control sessions are never filtered out.',
    group: 'Capture',
  }),
  spec('detectControl', '--detect-control', 'flag', booleanValue, {
    display: 'Detect FTP on other ports',
    type: 'boolflag',
    default: 'false',
    tooltip: 'Also recognise FTP control sessions on ports not listed above, by their greeting and commands.',
    group: 'Capture',
  }),
  spec('snaplen', '--snaplen', 'value', integerIn(64, MAX_BLOCK_BYTES - 1024, 'bytes'), {
    display: 'Snapshot length',
    type: 'unsigned',
    default: String(DEFAULT_SNAPLEN),
    range: [64, MAX_BLOCK_BYTES - 1024],
    tooltip:
      'Bytes kept of each packet. The default leaves room for the packet comment within ' +
      "Wireshark's 256 KiB block limit.",
    group: 'Capture',
  }),
  spec('promiscuous', '--promiscuous', 'bool', booleanValue, {
    display: 'Promiscuous mode',
    type: 'boolean',
    default: 'true',
    tooltip: 'Capture traffic not addressed to this host, as Wireshark does by default (ignored on "any").',
    group: 'Capture',
  }),
  spec('bufferSizeMiB', '--buffer-size', 'value', integerIn(1, 1024, 'MiB'), {
    display: 'Buffer size (MiB)',
    type: 'unsigned',
    default: '16',
    range: [1, 1024],
    tooltip: 'Kernel capture buffer in MiB. Raise it if the capture statistics report drops.',
    group: 'Capture',
  }),
  spec('lookaheadSeconds', '--lookahead', 'value', secondsIn(0, 60), {
    display: 'Look-ahead (seconds)',
    type: 'double',
    default: '1',
    range: [0, 60],
    tooltip:
      'Packet time a frame may be held back so that the first packets of a data connection, ' +
      'which often come before the RETR/STOR that names them, get the full comment. 0 = never hold.',
    group: 'Capture',
  }),
  spec('sidecar', '--sidecar', 'value', sidecarSetting, {
    display: 'Sidecar address',
    type: 'string',
    default: 'auto',
    placeholder: 'auto',
    tooltip:
      'Where to publish and learn FTP sessions: "auto" = the default sidecar socket if one is running, ' +
      '"off" = never, or a socket path / host:port.',
    group: 'Sidecar',
  }),
  spec('logLevel', '--log-level', 'value', logLevel, {
    display: 'Log level',
    type: 'selector',
    tooltip: 'How much to write to the log file.',
    group: 'Debug',
    values: LOG_LEVELS.map((l) => ({ value: l, display: l, default: l === DEFAULT_OPTIONS.logLevel })),
  }),
  spec('logFile', '--log-file', 'value', logFile, {
    display: 'Log file',
    type: 'fileselect',
    mustexist: false,
    tooltip: 'Write the log here. Nothing is written to stderr during a capture: Wireshark would show it as an error.',
    group: 'Debug',
  }),
];
