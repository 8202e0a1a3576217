import * as fs from 'node:fs';
import { readCaptureFileAsync, type CaptureFileHandlers, type ReadResult } from '../capture/file-reader';
import type { CounterName } from '../core/counter-names';
import { FatalError } from '../core/errors';
import type { Counters } from '../core/counters';
import { openOutput, PcapngFileWriter } from '../pcapng/file-writer';
import { mayStillChange } from './delay-line';
import { GapLine, WriterGaps } from './gap-line';
import { Engine, type EngineOptions } from './engine';
import type { Connection } from '../ftp/connections';
import { changedLate, commentNow, FinalTexts } from './labels';
import { ParallelRewriter } from './parallel-rewrite';
import { copyThroughHandlers, NO_COMMENTS, withoutOurComments } from './rewrite-blocks';

/** `--threads`: 1, 2 (a second thread writes the output), or auto (2 for regular files of TWO_THREADS_MIN_BYTES or more). */
export type ThreadChoice = 1 | 2 | 'auto';
/** Below this size a second thread costs more to start than it saves. */
export const TWO_THREADS_MIN_BYTES = 16 << 20;

export interface AnnotateFileOptions {
  input: string;
  output: string;
  engine: EngineOptions;
  /** Name written as the output's shb_userappl. */
  application: string;
  /** Default 'auto'. Two threads need a regular input file (it is read twice) and a file as output; otherwise one is used. */
  threads?: ThreadChoice;
  /** Two threads: frames in the decision ring (tests only: small rings wrap often). */
  ringFrames?: number;
  onProgress?(pass: 1 | 2, bytesDone: number, bytesTotal: number): void;
}

export interface AnnotateFileResult {
  frames: number;
  format: 'pcap' | 'pcapng' | null;
  counters: Counters;
  /** The input could not be read to its end: one line; every frame before it was written. */
  readError: string | null;
}

/**
 * How long (packet time) and how much a frame may wait in the offline delay line for facts about
 * its connection that arrive after it (curl sends RETR just after opening the data connection).
 */
export const OFFLINE_DELAY = { lookaheadNs: 5e9, maxFrames: 200_000, maxBytes: 64 * 1024 * 1024 };

/**
 * Offline annotation. Every frame is written unchanged and in order, with its connection's comment,
 * and every packet of a connection carries the same text holding its final facts.
 *
 * One pass with a bounded delay line does it for nearly every capture. If a comment still changed
 * after its connection's first frame was written (a command sent long after the connection opened),
 * the output is rewritten in two exact passes: pass 1 learns every connection's final facts, pass 2
 * writes. Memory stays flat in file size either way.
 */
export async function annotateFile(o: AnnotateFileOptions): Promise<AnnotateFileResult> {
  const single = await writePass(o, 1, null);
  if (single.counters.get('annotate.late_update') === 0) return single;
  const exact = await writePass(o, 2, await learnFinalTexts(o));
  exact.counters.inc('annotate.late_update', single.counters.get('annotate.late_update'));
  exact.counters.inc('annotate.exact_rewrite');
  return exact;
}

/**
 * Reads the input and writes the output. Without `exact`: frames whose connection may still gain
 * facts wait in the delay line, and comments that change after their first frame are counted
 * (annotate.late_update). With `exact` (the final texts pass 1 learnt): nothing waits.
 */
function writePass(o: AnnotateFileOptions, pass: 1 | 2, exact: FinalTexts | null): Promise<AnnotateFileResult> {
  return useTwoThreads(o) ? writeTwoThreads(o, pass, exact) : writeOneThread(o, pass, exact);
}

function useTwoThreads(o: AnnotateFileOptions): boolean {
  const choice = o.threads ?? 'auto';
  if (choice === 1) return false;
  let st: fs.Stats;
  try {
    st = fs.statSync(o.input);
  } catch {
    return false; // the reader says why in its own words
  }
  if (!st.isFile() || (choice === 'auto' && st.size < TWO_THREADS_MIN_BYTES)) return false;
  // The output is opened twice (created here, written by the other thread): a FIFO or device would see
  // the first close as the end. Those get one thread.
  try {
    return fs.statSync(o.output).isFile();
  } catch {
    return true; // does not exist yet: it will be a file
  }
}

/** The engine of one write pass, and the text each frame carries. */
function passEngine(o: AnnotateFileOptions, exact: FinalTexts | null, onEnd: (c: Connection) => void) {
  const engine: Engine = new Engine(o.engine, {
    onConnectionEnd: (c) => {
      if (exact === null && changedLate(c)) engine.counters.inc('annotate.late_update');
      onEnd(c);
    },
  });
  const textFor = (c: Connection | null): string => (c === null ? '' : exact ? exact.textFor(c) : commentNow(c));
  return { engine, counters: engine.counters, textFor };
}

/** One thread reads, runs the engine and encodes; write-behind puts the kernel's copies on libuv's pool. */
async function writeOneThread(o: AnnotateFileOptions, pass: 1 | 2, exact: FinalTexts | null): Promise<AnnotateFileResult> {
  const { engine, counters, textFor } = passEngine(o, exact, () => {});
  // Write-behind: the kernel's copy of each written chunk overlaps the work on the next one.
  const writer = new PcapngFileWriter(o.output, { writeBehind: true });
  const comment = ['']; // one reused array: the writer does not keep it
  const gaps = new WriterGaps(writer, OFFLINE_DELAY.maxBytes);
  const waiting = new GapLine({ ...OFFLINE_DELAY }, gaps, textFor, counters);
  let frameNo = 0;
  const handlers: CaptureFileHandlers = {
    ...copyThroughHandlers(writer, o.application),
    onPacket(pkt) {
      frameNo++;
      if (pkt.linkType < 0) counters.inc('input.interface_missing');
      const ts = pkt.tsNs;
      const conn = engine.classify(frameNo, ts, pkt.linkType, pkt.data);
      const options = pkt.options === null ? null : withoutOurComments(pkt.options, counters);
      if (exact === null && mayStillChange(conn)) {
        waiting.hold(ts, gaps.open(pkt.ifaceId, pkt.tsTicks, pkt.data, pkt.origLen, options), conn);
      } else {
        // This comment is final: written now, straight from the read buffer (behind any gaps).
        const text = textFor(conn);
        comment[0] = text;
        writer.writeEpb(pkt.ifaceId, pkt.tsTicks, pkt.data, pkt.origLen, options, text === '' ? NO_COMMENTS : comment);
      }
      waiting.afterPacket(ts);
    },
  };
  const r = await readCaptureFileAsync(o.input, handlers, { ...progress(o, pass), pause: () => writer.pause() });
  if (r.error !== null && r.packets === 0) {
    await writer.closeAsync();
    throw new FatalError('E_INPUT', r.error);
  }
  engine.finish();
  waiting.releaseAll();
  await writer.closeAsync();
  return passResult(frameNo, r, counters);
}

/**
 * Two threads: this one reads and runs the engine, and decides each frame's comment; the writing thread
 * reads the file again and writes every frame with the comment decided for it (parallel-rewrite.ts).
 * Same output as one thread, byte for byte.
 */
async function writeTwoThreads(o: AnnotateFileOptions, pass: 1 | 2, exact: FinalTexts | null): Promise<AnnotateFileResult> {
  let rewriter: ParallelRewriter | null = null;
  const { engine, counters, textFor } = passEngine(o, exact, (c) => rewriter?.connectionEnded(c));
  fs.closeSync(openOutput(o.output)); // an output that cannot be created fails here, as with one thread
  const rw = new ParallelRewriter({ input: o.input, outputPath: o.output, application: o.application, counters, ringFrames: o.ringFrames });
  rewriter = rw;
  const waiting = new GapLine<number>({ ...OFFLINE_DELAY }, rw, textFor, counters);
  let frameNo = 0;
  const handlers = packetsOnly((pkt) => {
    rw.startFrame(++frameNo);
    if (pkt.linkType < 0) counters.inc('input.interface_missing');
    const ts = pkt.tsNs;
    const conn = engine.classifyAt(frameNo, ts, pkt.linkType, pkt.buffer, pkt.offset, pkt.capLen);
    if (exact === null && mayStillChange(conn)) waiting.hold(ts, frameNo, conn);
    else rw.decide(frameNo, conn, textFor(conn));
    waiting.afterPacket(ts);
    rw.endFrame(waiting.oldest() ?? 0);
  });
  let r: ReadResult;
  try {
    r = await readCaptureFileAsync(o.input, handlers, { ...progress(o, pass), pause: () => rw.pause() });
    engine.finish();
    waiting.releaseAll();
  } catch (err) {
    await rw.abort();
    throw err;
  }
  const written = await rw.finish(frameNo);
  if (r.error !== null && r.packets === 0) throw new FatalError('E_INPUT', r.error);
  if (written.frames !== frameNo) {
    throw new FatalError('E_INPUT', `${o.input}: changed while it was read (${frameNo} frames, then ${written.frames})`);
  }
  for (const [name, n] of Object.entries(written.counters)) counters.inc(name as CounterName, n);
  return passResult(frameNo, r, counters);
}

/** Handlers for a reader that only needs the packets (the deciding thread; pass 1 of the exact rewrite). */
function packetsOnly(onPacket: CaptureFileHandlers['onPacket']): CaptureFileHandlers {
  return { onSection() {}, onInterface() {}, onOtherBlock() {}, onPacket };
}

function passResult(frameNo: number, r: ReadResult, counters: Counters): AnnotateFileResult {
  counters.inc('input.frames', frameNo);
  counters.inc('output.frames', frameNo);
  if (r.error !== null) counters.inc('input.truncated_record');
  return { frames: frameNo, format: r.format, counters, readError: r.error };
}

/** Pass 1 of the exact rewrite: runs the engine over the input and keeps the final texts. */
async function learnFinalTexts(o: AnnotateFileOptions): Promise<FinalTexts> {
  let texts: FinalTexts | null = null;
  const engine = new Engine(o.engine, { onConnectionEnd: (c) => texts!.noteFinal(c) });
  texts = new FinalTexts(engine.counters);
  const finalTexts = texts;
  let frameNo = 0;
  const handlers = packetsOnly((pkt) => {
    const conn = engine.classifyAt(++frameNo, pkt.tsNs, pkt.linkType, pkt.buffer, pkt.offset, pkt.capLen);
    if (conn) finalTexts.noteFirst(conn);
  });
  const r = await readCaptureFileAsync(o.input, handlers, progress(o, 1));
  if (r.error !== null && r.packets === 0) throw new FatalError('E_INPUT', r.error);
  engine.finish();
  return finalTexts;
}

function progress(o: AnnotateFileOptions, pass: 1 | 2) {
  const report = o.onProgress;
  return report ? { onProgress: (done: number, total: number) => report(pass, done, total) } : {};
}
