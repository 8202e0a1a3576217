/**
 * One bounded loopback exchange watched by one or more live captures at once: start an echo server,
 * open every capture with `tcp port <its port>`, run `count` request/response pairs, wait until every
 * capture has seen all requests (bounded), then collect packets and stats and close everything.
 */
import type { LiveCapture, LivePacket, LiveStats } from '../../../src/capture/live-source';
import { parseTcpFrame, pingPong, sleep, startEchoServer, waitUntil, wallClockNs } from './loopback-traffic';

export interface WatchedExchange {
  capture: LiveCapture;
  packets: LivePacket[];
  batches: number;
  stats: LiveStats;
  errors: string[];
}

export interface ExchangeResult {
  port: number;
  /** Wall clock before the first packet and after the last one (ns, 1 ms slack each side). */
  windowNs: [bigint, bigint];
  watched: WatchedExchange[];
}

export type CaptureOpener = (filter: string) => LiveCapture | Promise<LiveCapture>;

/** Markers of the client's requests (client -> server payload) a capture saw, in order. */
export function requestMarkers(packets: readonly LivePacket[], serverPort: number): number[] {
  const seen: number[] = [];
  for (const p of packets) {
    const f = parseTcpFrame(p.data);
    if (f && f.dstPort === serverPort && f.payloadLen > 0) seen.push(f.payloadLen === 6 && f.payload.length >= 6
      ? Buffer.from(f.payload).readUInt32BE(2)
      : -f.seq); // cut payload: still one segment, told apart by sequence number
  }
  return seen;
}

export async function watchExchange(host: string, count: number, openers: CaptureOpener[]): Promise<ExchangeResult> {
  const server = await startEchoServer(host);
  const filter = `tcp port ${server.port}`;
  const captures: LiveCapture[] = [];
  try {
    for (const open of openers) captures.push(await open(filter));
    const watched: WatchedExchange[] = captures.map((capture) => {
      const w: WatchedExchange = { capture, packets: [], batches: 0, stats: { recv: 0, drop: 0, ifdrop: 0 }, errors: [] };
      capture.start(
        (pkts) => {
          w.batches++;
          w.packets.push(...pkts);
        },
        (err) => w.errors.push(err),
      );
      return w;
    });
    const t0 = wallClockNs() - 1_000_000n;
    await pingPong(host, server.port, count);
    const t1 = wallClockNs() + 1_000_000n;
    await waitUntil(() => watched.every((w) => requestMarkers(w.packets, server.port).length >= count), 5000);
    await sleep(300); // the last ACKs, and one more read time-out
    for (const w of watched) w.stats = w.capture.stats();
    return { port: server.port, windowNs: [t0, t1], watched };
  } finally {
    for (const c of captures) c.close();
    await server.close();
  }
}
