import { COMMENT_PREFIX } from '../annotate/format';
import { readCaptureFile, type CaptureFileHandlers } from '../capture/file-reader';
import { FatalError } from '../core/errors';
import type { Counters } from '../core/counters';
import { encodeBlock, encodeIdb, encodeShb, encodeStringOption } from '../pcapng/encode';
import { PcapngFileWriter } from '../pcapng/file-writer';
import type { PcapngOption } from '../pcapng/model';
import { Engine, type EngineOptions } from './engine';
import { FinalTexts } from './labels';

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
 * Offline annotation in two passes over the file: pass 1 learns every connection's final facts,
 * pass 2 writes each frame, unchanged and in order, with its connection's comment. Memory stays
 * flat in file size: nothing per packet is kept between the passes.
 */
export function annotateFile(o: AnnotateFileOptions): AnnotateFileResult {
  const texts = learnFinalTexts(o);
  return writeAnnotated(o, texts);
}

function learnFinalTexts(o: AnnotateFileOptions): FinalTexts {
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
  const r = readCaptureFile(o.input, handlers, progress(o, 1));
  if (r.error !== null && r.packets === 0) throw new FatalError('E_INPUT', r.error);
  engine.finish();
  return finalTexts;
}

function writeAnnotated(o: AnnotateFileOptions, texts: FinalTexts): AnnotateFileResult {
  const engine = new Engine(o.engine);
  const counters = engine.counters;
  const writer = new PcapngFileWriter(o.output);
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
      const text = conn ? texts.textFor(conn) : '';
      const options = pkt.options === null ? null : withoutOurComments(pkt.options, counters);
      writer.writeEpb(pkt.ifaceId, pkt.tsTicks, pkt.data, pkt.origLen, options, text === '' ? NO_COMMENTS : [text]);
    },
  };
  const r = readCaptureFile(o.input, handlers, progress(o, 2));
  engine.finish();
  writer.close();
  counters.inc('input.frames', frameNo);
  counters.inc('output.frames', frameNo);
  if (r.error !== null) counters.inc('input.truncated_record');
  return { frames: frameNo, format: r.format, counters, readError: r.error };
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
  const name = old ? `${application} (from ${Buffer.from(old.value).toString('utf8')})` : application;
  return [...options.filter((opt) => opt.code !== SHB_USERAPPL), encodeStringOption(SHB_USERAPPL, name)];
}

function progress(o: AnnotateFileOptions, pass: 1 | 2) {
  const report = o.onProgress;
  return report ? { onProgress: (done: number, total: number) => report(pass, done, total) } : {};
}
