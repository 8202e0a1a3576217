/**
 * What the comments of a live capture should say, derived without ftpflow: TShark's own fields on the
 * captured file (tcp.stream, endpoints, ftp.request.*, ftp.response.*, non-21 control ports decoded with
 * `-d tcp.port==N,ftp`), and the addresses in PORT/EPRT/227/229 read here with a few regular expressions.
 *
 * A data connection is the TCP stream whose responder (SYN destination) is an announced port at the announced
 * address or the control peer's address, opened after the announcement; the latest such announcement is its
 * setup, and the first transfer command after that setup on the same control connection is its command (curl
 * connects before it sends RETR, so the command may come after the SYN). The same rule as
 * test/golden/derive-truth.py, kept short for live captures whose traffic the test itself made.
 */
import { run } from './wireshark-tools';

const AGG = '\x1e';
const TRANSFER_COMMANDS = new Set(['RETR', 'STOR', 'STOU', 'APPE', 'LIST', 'NLST', 'MLSD']);

const FIELDS = [
  'frame.number', 'tcp.stream', 'ip.src', 'ipv6.src', 'ip.dst', 'ipv6.dst', 'tcp.srcport', 'tcp.dstport',
  'tcp.flags.syn', 'tcp.flags.ack', 'frame.comment',
  'ftp.request.command', 'ftp.request.arg', 'ftp.response.code', 'ftp.response.arg',
] as const;

export interface Endpoint { ip: string; port: number }

export interface FrameRow {
  no: number;
  stream: number | null;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  synOnly: boolean;
  comments: string[];
  commands: { verb: string; arg: string }[];
  replies: { code: number; arg: string }[];
}

/** Every frame of `capture`, with the FTP fields TShark parses on `controlPorts`. */
export async function readFrames(capture: string, controlPorts: readonly number[]): Promise<FrameRow[]> {
  const decodeAs = controlPorts.filter((p) => p !== 21).flatMap((p) => ['-d', `tcp.port==${p},ftp`]);
  const r = await run('tshark', ['-n', '-r', capture, ...decodeAs, '-T', 'fields', '-E', 'occurrence=a', '-E', `aggregator=${AGG}`,
    ...FIELDS.flatMap((f) => ['-e', f])], { timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`tshark -r ${capture}: ${r.stderr}`);
  const list = (v: string | undefined): string[] => (v === undefined || v === '' ? [] : v.split(AGG));
  return r.stdout.split('\n').filter((l) => l !== '').map((line) => {
    const v = line.split('\t');
    const get = (f: (typeof FIELDS)[number]): string => v[FIELDS.indexOf(f)] ?? '';
    const verbs = list(get('ftp.request.command'));
    const args = list(get('ftp.request.arg'));
    const codes = list(get('ftp.response.code'));
    const rargs = list(get('ftp.response.arg'));
    return {
      no: Number(get('frame.number')),
      stream: get('tcp.stream') === '' ? null : Number(get('tcp.stream')),
      src: get('ip.src') || get('ipv6.src'),
      dst: get('ip.dst') || get('ipv6.dst'),
      sport: Number(get('tcp.srcport') || -1),
      dport: Number(get('tcp.dstport') || -1),
      synOnly: /^(1|True)$/.test(get('tcp.flags.syn')) && !/^(1|True)$/.test(get('tcp.flags.ack')),
      // TShark shows comment text with \n etc. escaped; ours are one line, so no unescaping is needed.
      comments: list(get('frame.comment')),
      commands: verbs.map((verb, i) => ({ verb: verb.toUpperCase(), arg: args[i] ?? '' })),
      replies: codes.map((code, i) => ({ code: Number(code), arg: rargs[i] ?? '' })),
    };
  });
}

export interface ControlTruth {
  stream: number;
  client: Endpoint;
  server: Endpoint;
  frames: number[];
}

export interface DataTruth {
  stream: number;
  frames: number[];
  synFrame: number;
  control: ControlTruth;
  mode: 'passive' | 'active';
  method: 'PASV' | 'EPSV' | 'PORT' | 'EPRT';
  /** 227/229 reply frame (passive) or PORT/EPRT command frame (active). */
  setupFrame: number;
  command: { verb: string; arg: string; frame: number } | null;
  family: 4 | 6;
}

export interface Truth {
  controls: ControlTruth[];
  data: DataTruth[];
  /** Streams and setups the rule cannot explain; a test asserts this is empty. */
  problems: string[];
}

interface Setup {
  control: ControlTruth;
  method: DataTruth['method'];
  requestFrame: number;
  setupFrame: number | null;
  announced: Endpoint | null;
  used: boolean;
}

/** `h1,h2,h3,h4,p1,p2` anywhere in `text` → endpoint. */
export function parseCommaEndpoint(text: string): Endpoint | null {
  const m = /(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3})/.exec(text);
  if (!m) return null;
  const n = m.slice(1).map(Number);
  return { ip: n.slice(0, 4).join('.'), port: (n[4] as number) * 256 + (n[5] as number) };
}

/** EPRT argument `|1|10.0.0.2|5282|` or `|2|::1|5282|` (any delimiter) → endpoint. */
export function parseEprtArg(arg: string): Endpoint | null {
  const d = arg[0];
  if (d === undefined) return null;
  const parts = arg.split(d);
  if (parts.length < 5 || !/^\d+$/.test(parts[3] ?? '')) return null;
  return { ip: (parts[2] ?? '').toLowerCase(), port: Number(parts[3]) };
}

/** 229 text `Entering Extended Passive Mode (|||6446|)` → port. */
export function parseEpsvPort(text: string): number | null {
  const m = /\((.)\1\1(\d+)\1\)/.exec(text);
  return m ? Number(m[2]) : null;
}

export function deriveTruth(frames: readonly FrameRow[], controlPorts: readonly number[]): Truth {
  const problems: string[] = [];
  const streams = new Map<number, FrameRow[]>();
  for (const f of frames) if (f.stream !== null) streams.set(f.stream, [...(streams.get(f.stream) ?? []), f]);

  const controls: ControlTruth[] = [];
  for (const [stream, fs] of streams) {
    const syn = fs.find((f) => f.synOnly);
    if (!syn || !controlPorts.includes(syn.dport)) continue;
    controls.push({ stream, client: { ip: syn.src, port: syn.sport }, server: { ip: syn.dst, port: syn.dport }, frames: fs.map((f) => f.no) });
  }

  const setups: Setup[] = [];
  const transfers: { control: ControlTruth; verb: string; arg: string; frame: number }[] = [];
  for (const c of controls) {
    let pending: Setup | null = null;
    for (const f of streams.get(c.stream) ?? []) {
      const fromClient = f.src === c.client.ip && f.sport === c.client.port;
      if (fromClient) {
        for (const { verb, arg } of f.commands) {
          if (verb === 'PORT' || verb === 'EPRT') {
            const announced = verb === 'PORT' ? parseCommaEndpoint(arg) : parseEprtArg(arg);
            if (!announced) problems.push(`frame ${f.no}: cannot read ${verb} ${arg}`);
            setups.push({ control: c, method: verb, requestFrame: f.no, setupFrame: f.no, announced, used: false });
          } else if (verb === 'PASV' || verb === 'EPSV') {
            pending = { control: c, method: verb, requestFrame: f.no, setupFrame: null, announced: null, used: false };
            setups.push(pending);
          } else if (TRANSFER_COMMANDS.has(verb)) {
            transfers.push({ control: c, verb, arg, frame: f.no });
          }
        }
      } else if (pending) {
        const reply = f.replies.find((r) => r.code === 227 || r.code === 229 || r.code >= 400);
        if (!reply) continue;
        if (reply.code === 227) pending.announced = parseCommaEndpoint(reply.arg);
        else if (reply.code === 229) {
          const port = parseEpsvPort(reply.arg);
          pending.announced = port === null ? null : { ip: c.server.ip, port };
        }
        pending.setupFrame = f.no;
        if (!pending.announced) problems.push(`frame ${f.no}: ${pending.method} answered ${reply.code} ${reply.arg}`);
        pending = null;
      }
    }
  }

  const controlStreams = new Set(controls.map((c) => c.stream));
  const data: DataTruth[] = [];
  for (const [stream, fs] of streams) {
    if (controlStreams.has(stream)) continue;
    const syn = fs.find((f) => f.synOnly);
    if (!syn) {
      problems.push(`tcp stream ${stream}: no SYN`);
      continue;
    }
    const first = fs[0] as FrameRow;
    const candidates = setups.filter((s) => {
      if (s.used || s.setupFrame === null || s.announced === null || s.setupFrame >= first.no) return false;
      const passive = s.method === 'PASV' || s.method === 'EPSV';
      const peer = passive ? s.control.server.ip : s.control.client.ip;
      return syn.dport === s.announced.port && (syn.dst === s.announced.ip || syn.dst === peer);
    });
    const s = candidates[candidates.length - 1];
    if (!s) {
      problems.push(`tcp stream ${stream} (${syn.src}:${syn.sport} -> ${syn.dst}:${syn.dport}): matches no announcement`);
      continue;
    }
    s.used = true;
    const setupFrame = s.setupFrame as number;
    const nextSetup = setups.find((o) => o.control === s.control && o.requestFrame > s.requestFrame);
    const t = transfers.find((x) => x.control === s.control && x.frame > setupFrame && (!nextSetup || x.frame < nextSetup.requestFrame));
    data.push({
      stream,
      frames: fs.map((f) => f.no),
      synFrame: syn.no,
      control: s.control,
      mode: s.method === 'PASV' || s.method === 'EPSV' ? 'passive' : 'active',
      method: s.method,
      setupFrame,
      command: t ? { verb: t.verb, arg: t.arg, frame: t.frame } : null,
      family: syn.src.includes(':') ? 6 : 4,
    });
  }
  for (const s of setups) {
    if (!s.used && s.announced) problems.push(`${s.method} at frame ${s.requestFrame}: no data connection came`);
  }
  return { controls, data, problems };
}

/** `ip:port`, IPv6 in brackets: the form of the comment's control= value. */
export function endpointText(e: Endpoint): string {
  return e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
}

/**
 * An ftpflow comment as key → value (README "Comment grammar": `ftpflow` then `key=value` pairs, a value bare
 * or double-quoted with \" and \\ escapes). Null when the text is not an ftpflow comment or is malformed.
 */
export function parseComment(text: string): Map<string, string> | null {
  if (!text.startsWith('ftpflow ')) return null;
  const out = new Map<string, string>();
  let i = 'ftpflow '.length;
  while (i < text.length) {
    const eq = text.indexOf('=', i);
    if (eq < 0) return null;
    const key = text.slice(i, eq);
    if (!/^[a-z_]+$/.test(key)) return null;
    let j = eq + 1;
    let value = '';
    if (text[j] === '"') {
      j++;
      while (j < text.length && text[j] !== '"') {
        if (text[j] === '\\') j++;
        value += text[j] ?? '';
        j++;
      }
      if (text[j] !== '"') return null;
      j++;
    } else {
      while (j < text.length && text[j] !== ' ') value += text[j++];
    }
    out.set(key, value);
    if (j < text.length && text[j] !== ' ') return null;
    i = j + 1;
  }
  return out;
}
