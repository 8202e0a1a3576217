/**
 * A child process for tests that must watch a capture from outside: its stderr (must stay empty)
 * or its privileges (run as an unprivileged user). Does nothing unless started as
 *   node capture-child.js --ftpflow-capture-child '<json ChildRequest>'
 * and prints one JSON line (ChildReport) on stdout.
 */
import { FatalError } from '../../../src/core/errors';
import { openCapture, type CaptureBackend } from '../../../src/capture/open-capture';
import { checkCaptureFilter, openLiveCapture } from '../../../src/capture/live-source';
import { requestMarkers, watchExchange } from './exchange-scenario';

export interface ChildRequest {
  backend: CaptureBackend;
  device: string;
  host: string;
  count: number;
  dumpcapPath?: string;
  /** Also try the error paths (bad filter, unknown device, filter check). */
  probeErrors?: boolean;
}

export interface ChildReport {
  ok: boolean;
  error?: { code: string; message: string };
  backend?: string;
  linkType?: number;
  frames?: number;
  requests?: number[];
  drop?: number;
  readErrors?: string[];
  probes?: string[];
}

export const CHILD_FLAG = '--ftpflow-capture-child';

function describe(e: unknown): { code: string; message: string } {
  return e instanceof FatalError ? { code: e.code, message: e.message } : { code: 'BUG', message: String(e) };
}

async function run(req: ChildRequest): Promise<ChildReport> {
  const probes: string[] = [];
  if (req.probeErrors) {
    for (const attempt of [
      () => openLiveCapture({ device: req.device, filter: 'tcp port', snaplen: 100, bufferSize: 1 << 20, immediate: false, timeoutMs: 100 }),
      () => openLiveCapture({ device: 'nosuchdev0', filter: '', snaplen: 100, bufferSize: 1 << 20, immediate: false, timeoutMs: 100 }),
    ]) {
      try {
        attempt().close();
        probes.push('opened');
      } catch (e) {
        probes.push(describe(e).code);
      }
    }
    probes.push(checkCaptureFilter('tcp port') === null ? 'filter-valid' : 'filter-invalid');
  }
  const result = await watchExchange(req.host, req.count, [
    (filter) =>
      openCapture({
        backend: req.backend,
        device: req.device,
        filter,
        snaplen: 262144,
        bufferSize: 2 << 20,
        immediate: false,
        timeoutMs: 100,
        ...(req.dumpcapPath !== undefined ? { dumpcapPath: req.dumpcapPath } : {}),
      }),
  ]);
  const w = result.watched[0]!;
  return {
    ok: true,
    backend: w.capture.backend,
    linkType: w.capture.linkType,
    frames: w.packets.length,
    requests: requestMarkers(w.packets, result.port),
    drop: w.stats.drop,
    readErrors: w.errors,
    probes,
  };
}

if (require.main === module && process.argv[2] === CHILD_FLAG) {
  const req = JSON.parse(process.argv[3] ?? '{}') as ChildRequest;
  run(req).then(
    (report) => {
      process.stdout.write(JSON.stringify(report) + '\n');
    },
    (e: unknown) => {
      process.stdout.write(JSON.stringify({ ok: false, error: describe(e) } satisfies ChildReport) + '\n');
      process.exitCode = 1;
    },
  );
}
