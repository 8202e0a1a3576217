import { openCapture } from '../capture/open-capture';
import type { LiveCapture } from '../capture/live-source';
import { FatalError } from '../core/errors';
import { openLog, type Log } from '../core/log-file';
import { encodeIdb, encodeShb, encodeStringOption, IF_DESCRIPTION, IF_FILTER, IF_NAME, SHB_USERAPPL } from '../pcapng/encode';
import { PcapngStreamWriter } from '../pcapng/stream-writer';
import { DEFAULT_LIVE_LIMITS, LivePipeline } from '../pipeline/live';
import type { SidecarClient } from '../sidecar/client';
import { SNAPSHOT_WAIT_MS, startSidecarClient } from '../sidecar/extcap-link';
import type { CaptureArgs } from './args';
import { effectiveCaptureFilter } from './capture-filter';
import { failCapture } from './fail-capture';
import { packageInfo } from '../core/package-info';

/** Writes after Wireshark stopped reading are pointless: give the last flush this long. */
const END_TIMEOUT_MS = 500;

/**
 * `--capture`: live capture through libpcap (or dumpcap, when libpcap says no permission), the
 * engine and the delay line, pcapng into Wireshark's FIFO. Stops on SIGTERM/SIGINT or when the
 * FIFO's reader goes away (EPIPE), exit 0 and nothing on stderr. Fatal errors: one line on stderr,
 * the FIFO opened and closed so that Wireshark does not hang, exit 1.
 */
export async function runCapture(args: CaptureArgs): Promise<number> {
  const o = args.options;
  const log = openLog(o.logFile, o.logLevel);
  const filter = effectiveCaptureFilter(args.captureFilter, o.controlPorts);
  log.info(`capture ${args.device} filter=${JSON.stringify(filter)} ports=${[...o.controlPorts].join(',')} detect=${o.detectControl}`);
  let capture: LiveCapture;
  try {
    capture = await openCapture({
      device: args.device, filter, snaplen: o.snaplen, bufferSize: o.bufferSizeMiB * 1024 * 1024,
      immediate: false, timeoutMs: 100, backend: backendFromEnv(),
    });
  } catch (err) {
    const message = err instanceof FatalError ? err.message : `cannot capture on ${args.device}: ${String(err)}`;
    log.message(message);
    log.close();
    await failCapture(args.fifo, message);
    return 1;
  }
  for (const w of capture.warnings) log.info(`capture: ${w}`);
  log.info(`capturing with ${capture.backend}, link type ${capture.linkType}`);
  const sidecar = await startSidecarClient(o.sidecar, o.lookaheadSeconds, log);
  return streamToFifo(args, capture, filter, log, sidecar);
}

function streamToFifo(args: CaptureArgs, capture: LiveCapture, filter: string, log: Log, sidecar: SidecarClient | null): Promise<number> {
  return new Promise((resolve) => {
    let pipeline: LivePipeline | null = null;
    let finished = false;
    const finish = async (why: string, code: number) => {
      if (finished) return;
      finished = true;
      log.info(`stopping: ${why}`);
      sidecar?.close();
      pipeline?.stop();
      capture.close();
      await writer.end(END_TIMEOUT_MS);
      log.close();
      resolve(code);
    };
    const writer = new PcapngStreamWriter(args.fifo, (err) => {
      // The reader closed the FIFO: Wireshark stopped the capture. Not an error.
      void finish(err ? `FIFO closed (${err.code ?? err.message})` : 'FIFO closed', 0);
    });
    process.once('SIGTERM', () => void finish('SIGTERM', 0));
    process.once('SIGINT', () => void finish('SIGINT', 0));
    process.on('SIGPIPE', () => void finish('SIGPIPE', 0));

    const version = packageInfo().version;
    writer.writeBlock(encodeShb([encodeStringOption(SHB_USERAPPL, `ftpflow ${version}`)]));
    writer.writeBlock(encodeIdb({
      linkType: capture.linkType,
      snapLen: args.options.snaplen,
      tsResol: 9,
      tsOffsetSec: 0n,
      options: [
        encodeStringOption(IF_NAME, args.device),
        encodeStringOption(IF_DESCRIPTION, `ftpflow on ${args.device}`),
        { code: IF_FILTER, value: Buffer.concat([Buffer.from([0]), Buffer.from(filter, 'utf8')]) },
      ],
    }));
    writer.flush();
    pipeline = new LivePipeline(capture, writer, {
      controlPorts: args.options.controlPorts,
      detectControl: args.options.detectControl,
      sessionIds: sidecar?.sessionIds,
    }, { ...DEFAULT_LIVE_LIMITS, lookaheadNs: args.options.lookaheadSeconds * 1e9 }, log, sidecar?.observer);
    const begin = () => {
      if (finished) return;
      pipeline!.start((message) => {
        log.message(`capture failed: ${message}`);
        void finish(`capture error: ${message}`, 1);
      });
    };
    // The sidecar's sessions go into the tracker before the first packet is classified (bounded wait;
    // packets meanwhile wait in the capture buffer).
    if (sidecar) {
      sidecar.connect(pipeline.engine.tracker);
      void sidecar.firstSnapshot(SNAPSHOT_WAIT_MS).then(begin);
    } else {
      begin();
    }
  });
}

/** FTPFLOW_CAPTURE_BACKEND=libpcap|dumpcap forces a backend (tests, and users whose libpcap misbehaves). */
function backendFromEnv(): 'auto' | 'libpcap' | 'dumpcap' {
  const b = process.env.FTPFLOW_CAPTURE_BACKEND;
  return b === 'libpcap' || b === 'dumpcap' ? b : 'auto';
}
