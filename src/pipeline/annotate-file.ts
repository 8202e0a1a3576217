import { COMMENT_PREFIX } from '../annotate/format';
import { readCaptureFileAsync, type CaptureFileHandlers } from '../capture/file-reader';
import { FatalError } from '../core/errors';
import type { Counters } from '../core/counters';
import { encodeBlock, encodeIdb, encodeShb, encodeStringOption } from '../pcapng/encode';
import { PcapngFileWriter } from '../pcapng/file-writer';
import type { PcapngOption } from '../pcapng/model';
import { mayStillChange } from './delay-line';
import { GapLine } from './gap-line';
import { Engine, type EngineOptions } from './engine';
import type { Connection } from '../ftp/connections';
import { changedLate, commentNow, FinalTexts } from './labels';

const OPT_COMMENT = 1;
const SHB_USERAPPL = 4;
const OUR_PREFIX = Buffer.from(`${COMMENT_PREFIX} `);

export interface AnnotateFileOptions {
  input: string;
  output: string;
  engine: EngineOptions;
  /** Name written as the output's shb_userappl. */
  application: string;
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
export const OFFLINE_DELAY = { lookaheadNs: 5_000_000_000n, maxFrames: 200_000, maxBytes: 64 * 1024 * 1024 };

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
async function writePass(o: AnnotateFileOptions, pass: 1 | 2, exact: FinalTexts | null): Promise<AnnotateFileResult> {
  const engine: Engine = new Engine(o.engine, exact ? {} : {
    onConnectionEnd: (c) => {
      if (changedLate(c)) engine.counters.inc('annotate.late_update');
    },
  });
  const counters = engine.counters;
  const textFor = (c: Connection | null): string => (c === null ? '' : exact ? exact.textFor(c) : commentNow(c));
  // Write-behind: the kernel's copy of each written chunk overlaps the work on the next one.
  const writer = new PcapngFileWriter(o.output, { writeBehind: true });
  const comment = ['']; // one reused array: the writer does not keep it
  const waiting = new GapLine({ ...OFFLINE_DELAY }, writer, textFor, counters);
  let frameNo = 0;
  const handlers: CaptureFileHandlers = {
    onSection(_section, shbOptions) {
      writer.writeBlock(encodeShb(withApplication(shbOptions, o.application)));
    },
    onInterface(_section, _id, iface) {
      writer.writeBlock(encodeIdb(iface));
    },
    onOtherBlock(block) {
      writer.writeBlock(encodeBlock(block.type, block.body));
    },
    onPacket(pkt) {
      frameNo++;
      if (pkt.linkType < 0) counters.inc('input.interface_missing');
      const conn = engine.classify(frameNo, pkt.tsNs, pkt.linkType, pkt.data);
      const options = pkt.options === null ? null : withoutOurComments(pkt.options, counters);
      if (exact === null && mayStillChange(conn)) {
        waiting.hold(pkt.tsNs, pkt.ifaceId, pkt.tsTicks, pkt.data, pkt.origLen, options, conn);
      } else {
        // This comment is final: written now, straight from the read buffer (behind any gaps).
        const text = textFor(conn);
        comment[0] = text;
        writer.writeEpb(pkt.ifaceId, pkt.tsTicks, pkt.data, pkt.origLen, options, text === '' ? NO_COMMENTS : comment);
      }
      waiting.afterPacket(pkt.tsNs);
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
  const handlers: CaptureFileHandlers = {
    onSection() {},
    onInterface() {},
    onOtherBlock() {},
    onPacket(pkt) {
      const conn = engine.classify(++frameNo, pkt.tsNs, pkt.linkType, pkt.data);
      if (conn) finalTexts.noteFirst(conn);
    },
  };
  const r = await readCaptureFileAsync(o.input, handlers, progress(o, 1));
  if (r.error !== null && r.packets === 0) throw new FatalError('E_INPUT', r.error);
  engine.finish();
  return finalTexts;
}

const NO_COMMENTS: readonly string[] = [];

/** Comments an earlier ftpflow run left: replaced, so that annotating twice gives the same file. */
function withoutOurComments(options: PcapngOption[], counters: Counters): PcapngOption[] {
  const kept = options.filter((opt) => !(opt.code === OPT_COMMENT && startsWith(opt.value, OUR_PREFIX)));
  if (kept.length !== options.length) counters.inc('output.comments_replaced', options.length - kept.length);
  return kept;
}

function startsWith(value: Uint8Array, prefix: Uint8Array): boolean {
  if (value.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (value[i] !== prefix[i]) return false;
  return true;
}

function withApplication(options: PcapngOption[], application: string): PcapngOption[] {
  const old = options.find((opt) => opt.code === SHB_USERAPPL);
  // "ftpflow X (from dumpcap …)": the original writer is kept once, however often the file is annotated.
  const was = old ? Buffer.from(old.value).toString('utf8').replace(/^ftpflow \S+ \(from (.*)\)$/, '$1') : null;
  const name = was && !/^ftpflow \S+$/.test(was) ? `${application} (from ${was})` : application;
  return [...options.filter((opt) => opt.code !== SHB_USERAPPL), encodeStringOption(SHB_USERAPPL, name)];
}

function progress(o: AnnotateFileOptions, pass: 1 | 2) {
  const report = o.onProgress;
  return report ? { onProgress: (done: number, total: number) => report(pass, done, total) } : {};
}
