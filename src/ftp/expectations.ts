import type { TimestampNs } from '../core/types';
import { Fifo } from '../core/fifo';
import type { Counters } from '../core/counters';
import type { Endpoint, Setup } from './model';

export interface ExpectationLimits {
  /** An announcement no connection used is forgotten after this much packet time (Zeek: 5 min). */
  ttlNs: number;
  /** Announcements waiting in all sessions together (Zeek: 100 000); the oldest goes first. */
  maxTotal: number;
  /** Unused announcements one session may have (Suricata: 10); its oldest goes first. */
  maxPerSession: number;
}

export const DEFAULT_EXPECTATION_LIMITS: ExpectationLimits = {
  ttlNs: 300e9,
  maxTotal: 100_000,
  maxPerSession: 16,
};

/** A setup that a new connection matched, and which end of the connection is the listener. */
export interface ExpectationMatch {
  setup: Setup;
  listener: Endpoint;
  connector: Endpoint;
}

const UNSPECIFIED = new Set(['0.0.0.0', '::']);

/**
 * Announced data connections waiting for their connection ("expectations"), keyed by the
 * listener's port. A connection matches when its listener port is exact and its listener address is
 * the announced one or the control peer's (servers behind NAT announce private or 0.0.0.0 addresses;
 * curl ignores them). The connector may be anyone (FXP); the comment flags the unusual cases.
 * One-shot: the first matching connection consumes the expectation.
 */
export class ExpectationTable {
  private readonly byPort = new Map<number, Setup[]>();
  private readonly bySession = new Map<number, Setup[]>();
  /** Every pending setup in announcement order (lazy: entries no longer pending are skipped). */
  private readonly fifo = new Fifo<Setup>();
  private count = 0;

  constructor(private readonly limits: ExpectationLimits, private readonly counters: Counters) {}

  get size(): number {
    return this.count;
  }

  /** Adds a setup whose `announced` endpoint is set. `controlPeerIp` is the control connection's address of the listener side. */
  add(setup: Setup, controlPeerIp: string): void {
    const announced = setup.announced!;
    setup.listenerIps = [announced.ip, controlPeerIp].filter((ip, i, all) => !UNSPECIFIED.has(ip) && all.indexOf(ip) === i);
    this.replaceSameListener(setup, announced.port);
    setup.pending = true;
    push(this.byPort, announced.port, setup);
    const mine = push(this.bySession, setup.sessionKey, setup);
    this.fifo.push(setup);
    this.count++;
    this.counters.inc('expect.created');
    if (mine.length > this.limits.maxPerSession) {
      this.counters.inc('expect.evicted_session_cap');
      this.remove(mine[0]!);
    }
    while (this.count > this.limits.maxTotal) {
      const oldest = this.peek();
      if (!oldest) break;
      this.counters.inc('expect.evicted_cap');
      this.remove(oldest);
    }
  }

  /** The most recent pending setup that a connection between a and b matches, either way round. */
  match(a: Endpoint, b: Endpoint): ExpectationMatch | null {
    const toB = this.find(b);
    if (toB) return { setup: toB, listener: b, connector: a };
    const toA = this.find(a);
    return toA ? { setup: toA, listener: a, connector: b } : null;
  }

  /** True if some pending setup listens on this port: a cheap test before building anything. */
  hasPort(port: number): boolean {
    return this.byPort.has(port);
  }

  remove(setup: Setup): void {
    if (!setup.pending) return;
    setup.pending = false;
    this.count--;
    pull(this.byPort, setup.announced!.port, setup);
    pull(this.bySession, setup.sessionKey, setup);
  }

  /** Drops every pending setup of a session (its control connection is gone). */
  removeSession(sessionKey: number): void {
    for (const s of [...(this.bySession.get(sessionKey) ?? [])]) this.remove(s);
  }

  /** Forgets announcements older than the time-to-live. */
  expire(now: TimestampNs): void {
    for (let s = this.peek(); s && now - s.announcedAt > this.limits.ttlNs; s = this.peek()) {
      this.counters.inc('expect.expired');
      this.remove(s);
    }
  }

  private find(ep: Endpoint): Setup | null {
    const list = this.byPort.get(ep.port);
    if (!list) return null;
    for (let i = list.length - 1; i >= 0; i--) {
      const s = list[i]!;
      if (s.listenerIps.includes(ep.ip)) return s;
    }
    return null;
  }

  /** A new announcement of the same listener by the same session supersedes the unused old one. */
  private replaceSameListener(setup: Setup, port: number): void {
    for (const old of this.byPort.get(port) ?? []) {
      if (old.sessionKey === setup.sessionKey && old.listenerIps.length === setup.listenerIps.length
          && old.listenerIps.every((ip) => setup.listenerIps.includes(ip))) {
        this.counters.inc('expect.replaced');
        this.remove(old);
        return;
      }
    }
  }

  private peek(): Setup | undefined {
    while (this.fifo.size > 0 && !this.fifo.peek()!.pending) this.fifo.shift();
    return this.fifo.peek();
  }
}

function push<K>(map: Map<K, Setup[]>, key: K, setup: Setup): Setup[] {
  let list = map.get(key);
  if (!list) map.set(key, (list = []));
  list.push(setup);
  return list;
}

function pull<K>(map: Map<K, Setup[]>, key: K, setup: Setup): void {
  const list = map.get(key);
  if (!list) return;
  const i = list.indexOf(setup);
  if (i >= 0) list.splice(i, 1);
  if (list.length === 0) map.delete(key);
}
