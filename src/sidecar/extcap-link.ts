import type { Log } from '../core/log-file';
import type { SidecarSetting } from '../extcap/options';
import { packageInfo } from '../core/package-info';
import { defaultAddress, parseAddress } from './address';
import type { SidecarClient } from './client';

/** How long a capture waits for the sidecar's snapshot before its first packet is classified. */
export const SNAPSHOT_WAIT_MS = 1000;

/**
 * The sidecar client for a capture, or null when the setting is `off` or the address is unusable
 * (said in the log). Loads the protocol code (and protobufjs) only here, only when wanted.
 */
export async function startSidecarClient(setting: SidecarSetting, lookaheadSeconds: number, log: Log): Promise<SidecarClient | null> {
  if (setting.kind === 'off') {
    log.info('sidecar: off');
    return null;
  }
  const address = setting.kind === 'auto' ? defaultAddress() : parseAddress(setting.address);
  if (typeof address === 'string') {
    log.message(`sidecar address not usable (${address}); capturing without a sidecar`);
    return null;
  }
  try {
    const { SidecarClient } = await import('./client');
    return new SidecarClient({
      address, explicit: setting.kind === 'address', software: `ftpflow ${packageInfo().version}`,
      lookaheadMs: Math.round(lookaheadSeconds * 1000),
    }, log);
  } catch (err) {
    log.message(`cannot load the sidecar client (${err instanceof Error ? err.message : String(err)}); capturing without a sidecar`);
    return null;
  }
}
