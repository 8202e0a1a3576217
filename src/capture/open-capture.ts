/**
 * Choosing how to capture live.
 *
 * - libpcap: the patched `cap` binding, in-process. Nanosecond stamps, batches straight from the
 *   kernel ring, pcap_stats at any time, no extra process. Needs CAP_NET_RAW/CAP_NET_ADMIN for Node
 *   itself, which in practice means root.
 * - dumpcap: a `dumpcap` child writing pcapng to a pipe. Works for a user in Debian's `wireshark`
 *   group (dumpcap holds the capabilities, Node does not), which is how Wireshark users capture.
 *   Costs a process and a pipe copy, and drop counters only arrive when it stops.
 * - auto: libpcap first; dumpcap when libpcap says permission denied, or when the cap binding is not
 *   usable (not built, or built without ftpflow's patch). Other failures (unknown device, bad filter)
 *   are reported as they are: dumpcap would fail the same way, with a vaguer message.
 */
import { openDumpcapCapture } from './dumpcap-source';
import { DeviceOpenError, openLiveCapture, type LiveCapture, type LiveOptions } from './live-source';

export type CaptureBackend = 'auto' | 'libpcap' | 'dumpcap';

export interface CaptureOptions extends LiveOptions {
  backend: CaptureBackend;
  /** The dumpcap to run for the dumpcap backend (default: $FTPFLOW_DUMPCAP, else `dumpcap` on PATH). */
  dumpcapPath?: string;
}

/** Opens a live capture. Rejects with FatalError (E_ARGS, E_FILTER, E_DEVICE_OPEN). */
export async function openCapture(o: CaptureOptions): Promise<LiveCapture> {
  if (o.backend === 'dumpcap') return openDumpcapCapture(o);
  if (o.backend === 'libpcap') return openLiveCapture(o);
  try {
    return openLiveCapture(o);
  } catch (e) {
    if (!(e instanceof DeviceOpenError) || (e.reason !== 'permission' && e.reason !== 'binding')) throw e;
    try {
      return await openDumpcapCapture(o);
    } catch (d) {
      if (!(d instanceof DeviceOpenError)) throw d; // a bad filter is the user's to fix, whoever said it
      throw new DeviceOpenError(`${e.message}; dumpcap fallback: ${d.message}`, e.reason);
    }
  }
}
