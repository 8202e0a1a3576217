import { ipv4Number } from '../core/ip';
import { PairMap } from '../core/pair-map';
import { connKey } from '../decode/flow-key';
import type { TcpPacket } from '../decode/decoded';
import type { Endpoint } from './model';

/**
 * Where a connection sits in the index. IPv4: the two endpoints as 48-bit numbers (address × 65536 +
 * port), lower first; IPv6: the canonical text key. Same for both directions of a connection.
 */
export type FlowId = { lo: number; hi: number } | string;

/**
 * Connections by address pair, direction-independent. IPv4 (the common case) is looked up by two
 * numbers in a PairMap, with no string built and nothing allocated per packet; IPv6 falls back to the
 * text key.
 */
export class ConnectionIndex<T> {
  private readonly v4 = new PairMap<T>();
  private readonly v6 = new Map<string, T>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(pkt: TcpPacket): T | undefined {
    if (pkt.srcV4 >= 0) {
      return this.getV4(pkt.srcV4 * 65536 + pkt.srcPort, pkt.dstV4 * 65536 + pkt.dstPort);
    }
    return this.v6.get(connKey(pkt.src, pkt.srcPort, pkt.dst, pkt.dstPort));
  }

  /** An IPv4 connection by its two endpoints as numbers (address × 65536 + port), in either order. */
  getV4(a: number, b: number): T | undefined {
    return a <= b ? this.v4.get(a, b) : this.v4.get(b, a);
  }

  lookup(id: FlowId): T | undefined {
    return typeof id === 'string' ? this.v6.get(id) : this.v4.get(id.lo, id.hi);
  }

  set(id: FlowId, value: T): void {
    if (typeof id === 'string') {
      if (!this.v6.has(id)) this.count++;
      this.v6.set(id, value);
      return;
    }
    if (this.v4.set(id.lo, id.hi, value)) this.count++;
  }

  delete(id: FlowId): void {
    if (typeof id === 'string') {
      if (this.v6.delete(id)) this.count--;
      return;
    }
    if (this.v4.delete(id.lo, id.hi)) this.count--;
  }
}

export function flowIdOfPacket(pkt: TcpPacket): FlowId {
  if (pkt.srcV4 >= 0) return numericId(pkt.srcV4 * 65536 + pkt.srcPort, pkt.dstV4 * 65536 + pkt.dstPort);
  return connKey(pkt.src, pkt.srcPort, pkt.dst, pkt.dstPort);
}

export function flowIdOfEndpoints(a: Endpoint, b: Endpoint): FlowId {
  const a4 = ipv4Number(a.ip);
  const b4 = ipv4Number(b.ip);
  if (a4 !== null && b4 !== null) return numericId(a4 * 65536 + a.port, b4 * 65536 + b.port);
  return connKey(a.ip, a.port, b.ip, b.port);
}

function numericId(a: number, b: number): FlowId {
  return a <= b ? { lo: a, hi: b } : { lo: b, hi: a };
}
