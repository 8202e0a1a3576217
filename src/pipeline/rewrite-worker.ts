/**
 * The writing thread of the two-thread offline path: reads the input a second time (the page cache has
 * it) with the same parser as the deciding thread, so frame N here is frame N there, and writes each
 * frame with the comment the deciding thread decided for it (decision-channel.ts). Copying and encoding
 * a gigabyte of packets is about half the work of an annotation; here it runs beside the engine.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { readCaptureFile } from '../capture/file-reader';
import { Counters } from '../core/counters';
import { FatalError } from '../core/errors';
import { DEFAULT_CHUNK_BYTES } from '../pcapng/chunk-encoder';
import { PcapngFileWriter } from '../pcapng/file-writer';
import { DecisionReceiver, StopRequested, type ChannelMemory } from './decision-channel';
import { copyThroughHandlers, NO_COMMENTS, withoutOurComments } from './rewrite-blocks';

export interface RewriteJob {
  input: string;
  /** The output, created empty by the deciding thread (which so reports an output it cannot create). */
  outputPath: string;
  application: string;
  memory: ChannelMemory;
  texts: MessagePort;
}

export type RewriteOutcome =
  | { kind: 'done'; frames: number; readError: string | null; counters: Record<string, number> }
  | { kind: 'fatal'; code: FatalError['code']; message: string }
  | { kind: 'stopped' };

/**
 * The read buffer and the output chunk, in one ArrayBuffer: each packet is then copied with copyWithin
 * instead of through a view made per packet (which cost more than the copy, and fed the GC a view per frame).
 */
const READ_BUFFER_BYTES = 4 << 20;
const CHUNK_BYTES = DEFAULT_CHUNK_BYTES;

/** Ends the read when the decider's input had fewer frames (the file grew in between). */
class PastTheDecidersEnd extends Error {}

export function rewrite(job: RewriteJob): RewriteOutcome {
  const counters = new Counters();
  const decisions = new DecisionReceiver(job.memory, job.texts);
  let writer: PcapngFileWriter | null = null;
  try {
    const arena = Buffer.allocUnsafeSlow(READ_BUFFER_BYTES + CHUNK_BYTES);
    const readBuffer = new Uint8Array(arena.buffer, 0, READ_BUFFER_BYTES);
    writer = new PcapngFileWriter(job.outputPath, { truncate: false, chunk: arena.subarray(READ_BUFFER_BYTES) });
    const out = writer;
    const comment = ['']; // one reused array: the writer does not keep it
    let frame = 0;
    let readError: string | null = null;
    try {
      const r = readCaptureFile(job.input, {
        ...copyThroughHandlers(out, job.application),
        onPacket(pkt) {
          const c = decisions.commentOf(frame + 1);
          if (c === null) throw new PastTheDecidersEnd();
          frame++;
          if (pkt.options === null) {
            // Nearly every packet: no options of its own, so the comment's option list is the block's.
            out.writeEpbRaw(pkt, c.options);
          } else {
            comment[0] = c.text;
            const options = withoutOurComments(pkt.options, counters);
            out.writeEpb(pkt.ifaceId, pkt.tsTicks, pkt.data, pkt.origLen, options, c.text === '' ? NO_COMMENTS : comment);
          }
          decisions.written(frame);
        },
      }, { readBuffer });
      readError = r.error;
    } catch (err) {
      if (!(err instanceof PastTheDecidersEnd)) throw err;
    }
    writer.close();
    return { kind: 'done', frames: frame, readError, counters: counters.snapshot() };
  } catch (err) {
    if (err instanceof StopRequested) return { kind: 'stopped' };
    if (err instanceof FatalError) return { kind: 'fatal', code: err.code, message: err.message };
    throw err;
  } finally {
    try {
      writer?.close();
    } catch {
      // the first failure is the one reported
    }
    decisions.gone();
  }
}

if (parentPort !== null && (workerData as { ftpflowRewrite?: RewriteJob } | null)?.ftpflowRewrite) {
  const outcome = rewrite((workerData as { ftpflowRewrite: RewriteJob }).ftpflowRewrite);
  parentPort.postMessage(outcome);
}
