/**
 * What the offline output does with the input's non-packet blocks and a packet's own options: shared by
 * the one-thread path (annotate-file.ts) and the writing thread of the two-thread path (rewrite-worker.ts),
 * so that both write the same bytes.
 */
import { COMMENT_PREFIX } from '../annotate/format';
import type { CaptureFileHandlers } from '../capture/file-reader';
import type { Counters } from '../core/counters';
import { encodeBlock, encodeIdb, encodeShb, encodeStringOption, OPT_COMMENT, SHB_USERAPPL } from '../pcapng/encode';
import type { PcapngFileWriter } from '../pcapng/file-writer';
import type { PcapngOption } from '../pcapng/model';

const OUR_PREFIX = Buffer.from(`${COMMENT_PREFIX} `);

/** A frame without a comment of ours. */
export const NO_COMMENTS: readonly string[] = [];

/** Sections (with our shb_userappl), interfaces and other blocks, copied to `writer` in file order. */
export function copyThroughHandlers(writer: PcapngFileWriter, application: string): Omit<CaptureFileHandlers, 'onPacket'> {
  return {
    onSection(_section, shbOptions) {
      writer.writeBlock(encodeShb(withApplication(shbOptions, application)));
    },
    onInterface(_section, _id, iface) {
      writer.writeBlock(encodeIdb(iface));
    },
    onOtherBlock(block) {
      writer.writeBlock(encodeBlock(block.type, block.body));
    },
  };
}

/** Comments an earlier ftpflow run left: replaced, so that annotating twice gives the same file. */
export function withoutOurComments(options: PcapngOption[], counters: Counters): PcapngOption[] {
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
