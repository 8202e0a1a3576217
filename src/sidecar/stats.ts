/**
 * The sidecar's own counters (the engine's are in its Counters). Kept apart from core/counter-names.ts
 * until these names are registered there; the daemon logs them every minute and at exit.
 */
export const SIDECAR_STAT_NAMES = {
  clients_accepted: 'connections accepted on the sidecar socket',
  clients_refused_full: 'connections refused because maxClients were connected',
  clients_closed_version: 'clients closed for speaking another protocol version',
  clients_closed_malformed: 'clients closed for a frame that is not a valid message',
  clients_closed_too_large: 'clients closed for a frame over the size limit',
  clients_closed_unexpected: 'clients closed for a valid message at the wrong time',
  clients_closed_hello_timeout: 'clients closed for not saying Hello in time',
  clients_closed_slow: 'clients dropped because their send queue reached its cap (they reconnect and resync)',
  snapshots_sent: 'snapshots sent',
  updates_sent: 'update frames queued to clients',
  transfers_logged: 'transfer-log records written',
  transfers_log_dropped: 'transfer-log records dropped (file unwritable, or the disk too slow)',
} as const;

export type SidecarStatName = keyof typeof SIDECAR_STAT_NAMES;

export class SidecarStats {
  private readonly values: Partial<Record<SidecarStatName, number>> = {};

  inc(name: SidecarStatName, n = 1): void {
    this.values[name] = (this.values[name] ?? 0) + n;
  }

  set(name: SidecarStatName, value: number): void {
    this.values[name] = value;
  }

  get(name: SidecarStatName): number {
    return this.values[name] ?? 0;
  }

  /** Non-zero values in declaration order. */
  snapshot(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const k of Object.keys(SIDECAR_STAT_NAMES) as SidecarStatName[]) {
      const v = this.values[k];
      if (v) out[k] = v;
    }
    return out;
  }
}
