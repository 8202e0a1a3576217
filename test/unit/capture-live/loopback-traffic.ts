/**
 * Test helpers for live capture: a bounded request/response exchange on loopback (one TCP segment per
 * write, because each write waits for its echo), and a small Ethernet/IP/TCP reader for the frames
 * captured on Linux `lo` (LINKTYPE_ETHERNET). Importing this file does nothing by itself.
 */
import * as net from 'node:net';

export interface EchoServer {
  port: number;
  close(): Promise<void>;
}

/** An echo server on `host`, own ephemeral port. */
export function startEchoServer(host: string): Promise<EchoServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.setNoDelay(true);
    s.on('data', (d) => s.write(d));
    s.on('end', () => s.end());
    s.on('error', () => s.destroy());
    s.on('close', () => sockets.delete(s));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      const addr = server.address();
      if (addr === null || typeof addr === 'string') return reject(new Error('no port'));
      resolve({
        port: addr.port,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

/** The 6-byte payload of write `i`: 'FT' + big-endian i. */
export function marker(i: number): Buffer {
  const b = Buffer.alloc(6);
  b.write('FT', 0, 'latin1');
  b.writeUInt32BE(i, 2);
  return b;
}

/** `count` writes, each sent after the previous one's echo came back; resolves after the close handshake. */
export function pingPong(host: string, port: number, count: number, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host, port });
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`ping-pong did not finish in ${timeoutMs} ms`));
    }, timeoutMs);
    let sent = 0;
    let pending = Buffer.alloc(0);
    sock.setNoDelay(true);
    sock.on('connect', () => sock.write(marker(sent++)));
    sock.on('data', (d) => {
      pending = Buffer.concat([pending, d]);
      while (pending.length >= 6) {
        pending = pending.subarray(6);
        if (sent < count) sock.write(marker(sent++));
        else sock.end();
      }
    });
    sock.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    sock.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export interface TcpFrame {
  srcPort: number;
  dstPort: number;
  seq: number;
  /** Length the IP header says the packet has, plus the 14-byte Ethernet header. */
  wireLen: number;
  /** TCP payload length per the IP and TCP headers (even when the capture cut it). */
  payloadLen: number;
  /** The payload bytes that were captured. */
  payload: Uint8Array;
}

/** Reads Ethernet + IPv4/IPv6 + TCP; null for anything else or a frame cut inside the headers. */
export function parseTcpFrame(data: Uint8Array): TcpFrame | null {
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (data.length < 14) return null;
  const etherType = v.getUint16(12);
  let ipHeaderLen: number;
  let ipTotalLen: number;
  if (etherType === 0x0800 && data.length >= 14 + 20) {
    if (data[14 + 9] !== 6) return null;
    ipHeaderLen = (data[14]! & 0x0f) * 4;
    ipTotalLen = v.getUint16(14 + 2);
  } else if (etherType === 0x86dd && data.length >= 14 + 40) {
    if (data[14 + 6] !== 6) return null;
    ipHeaderLen = 40;
    ipTotalLen = 40 + v.getUint16(14 + 4);
  } else {
    return null;
  }
  const tcp = 14 + ipHeaderLen;
  if (data.length < tcp + 13) return null;
  const tcpHeaderLen = (data[tcp + 12]! >> 4) * 4;
  return {
    srcPort: v.getUint16(tcp),
    dstPort: v.getUint16(tcp + 2),
    seq: v.getUint32(tcp + 4),
    wireLen: 14 + ipTotalLen,
    payloadLen: ipTotalLen - ipHeaderLen - tcpHeaderLen,
    payload: data.subarray(Math.min(data.length, tcp + tcpHeaderLen)),
  };
}

/** Wall-clock time in ns (ms resolution). */
export function wallClockNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

/** Polls `done` every 20 ms until it holds or `timeoutMs` passes; resolves with its last value. */
export async function waitUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
