/**
 * The two-thread offline path hands each frame's comment from the deciding thread (which runs the
 * engine) to the writing thread (which copies the input to the output) through shared memory:
 *
 * - a ring of RING_FRAMES int32 slots, one per frame: 0 for no comment, else a comment id;
 * - a few control words: how many frames are decided (every frame up to it), how many are written,
 *   whether the input is done and how many frames it had, and a stop flag;
 * - comment texts travel by message, one batch per publication, posted before the publication that
 *   first needs them, so the writer always finds them queued (receiveMessageOnPort).
 *
 * Frames are decided out of order (a frame that waits for its comment is decided after later frames)
 * but published in order: the decided count only moves past a frame once it is decided.
 */
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { Fifo } from '../core/fifo';
import { commentOptionList, type OptionList } from '../pcapng/encode';

/** A comment as the writer uses it: the text, and the EPB option list it becomes. */
export interface FrameComment {
  readonly text: string;
  readonly options: OptionList;
}

/** A frame without a comment. */
export const NO_COMMENT: FrameComment = { text: '', options: commentOptionList('') };

/** Frames the ring holds by default (4 MiB): the writer may lag the decider by this many frames at most. */
export const RING_FRAMES = 1 << 20;

const enum Word { Decided = 0, Written = 1, Done = 2, Total = 3, Stop = 4, WriterGone = 5, Count = 6 }

export interface ChannelMemory {
  control: SharedArrayBuffer;
  ring: SharedArrayBuffer;
}

/** `ringFrames`: a power of two, at least 1024 (tests use small rings to make it wrap). */
export function newChannelMemory(ringFrames = RING_FRAMES): ChannelMemory {
  if (ringFrames < 1024 || (ringFrames & (ringFrames - 1)) !== 0) throw new Error(`ring of ${ringFrames} frames: a power of two >= 1024 expected`);
  return {
    control: new SharedArrayBuffer(Word.Count * 4),
    ring: new SharedArrayBuffer(ringFrames * 4),
  };
}

/** The sizes that follow from a ring's length. */
export class RingGeometry {
  readonly frames: number;
  readonly mask: number;
  /** The decider publishes (and the writer reports progress) every this many frames. */
  readonly publishEvery: number;
  /** Room the decider keeps between itself and the writer's end of the ring. */
  readonly slack: number;

  constructor(memory: ChannelMemory) {
    this.frames = memory.ring.byteLength / 4;
    this.mask = this.frames - 1;
    this.publishEvery = Math.min(8192, this.frames / 16);
    this.slack = 4 * this.publishEvery;
  }
}

/** One message from decider to writer: new comment texts, and ids the writer may drop once past a frame. */
export interface TextBatch {
  texts: [id: number, text: string][];
  retire: [id: number, afterFrame: number][];
}

/** The decider's end. */
export class DecisionSender {
  readonly geometry: RingGeometry;
  private readonly control: Int32Array;
  private readonly ring: Int32Array;
  private batch: TextBatch = { texts: [], retire: [] };
  private published = 0;

  constructor(memory: ChannelMemory, private readonly port: MessagePort) {
    this.geometry = new RingGeometry(memory);
    this.control = new Int32Array(memory.control);
    this.ring = new Int32Array(memory.ring);
  }

  /** Frames the writer has written (as it last reported). */
  get written(): number {
    return Atomics.load(this.control, Word.Written);
  }

  /** A comment text the writer will need for frames decided from now on. */
  addText(id: number, text: string): void {
    this.batch.texts.push([id, text]);
  }

  /** The writer may forget `id` once it has written frame `afterFrame`. */
  retire(id: number, afterFrame: number): void {
    this.batch.retire.push([id, afterFrame]);
  }

  /** Frame `frame` carries comment `id` (0: none). The caller keeps within the ring's length of `written`. */
  decide(frame: number, id: number): void {
    this.ring[(frame - 1) & this.geometry.mask] = id;
  }

  /** Every frame up to `decided` is decided: sends the texts they need, then lets the writer at them. */
  publish(decided: number): void {
    if (this.batch.texts.length > 0 || this.batch.retire.length > 0) {
      this.port.postMessage(this.batch);
      this.batch = { texts: [], retire: [] };
    }
    if (decided === this.published) return;
    this.published = decided;
    Atomics.store(this.control, Word.Decided, decided);
    Atomics.notify(this.control, Word.Decided);
  }

  /** The input had `total` frames, all decided. */
  finish(total: number): void {
    Atomics.store(this.control, Word.Total, total);
    Atomics.store(this.control, Word.Done, 1);
    this.publish(total);
    Atomics.notify(this.control, Word.Decided); // also when `total` was published before
  }

  /** Asks the writer to stop now (the decider failed). */
  stop(): void {
    Atomics.store(this.control, Word.Stop, 1);
    Atomics.notify(this.control, Word.Decided);
  }

  /**
   * Blocks until the writer has written frame `frame` (its slot in the ring is then free again). Throws
   * when the writing thread has ended. Only for when the cooperative pause came too late.
   */
  waitForWritten(frame: number): void {
    for (;;) {
      const written = Atomics.load(this.control, Word.Written);
      if (written >= frame) return;
      if (Atomics.load(this.control, Word.WriterGone) !== 0) throw new Error('the writing thread ended early');
      Atomics.wait(this.control, Word.Written, written, 100);
    }
  }

  /** Resolves when the writer reports progress past `seen`, or after `timeoutMs`. */
  async writtenChange(seen: number, timeoutMs: number): Promise<void> {
    const w = waitAsync(this.control, Word.Written, seen, timeoutMs);
    if (w.async) await w.value;
  }
}

/** Atomics.waitAsync (Node 16+; typed from lib es2024, newer than this project's lib). */
type WaitAsync = (array: Int32Array, index: number, value: number, timeoutMs: number) =>
  { async: false; value: string } | { async: true; value: Promise<string> };
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

/** Thrown in the writer when the decider asked it to stop. */
export class StopRequested extends Error {}

/** The writer's end. */
export class DecisionReceiver {
  private readonly geometry: RingGeometry;
  private readonly control: Int32Array;
  private readonly ring: Int32Array;
  private decided = 0;
  private readonly texts = new Map<number, FrameComment>();
  /** Retirements waiting for the writer to pass their frame, in frame order. */
  private readonly retiring = new Fifo<[id: number, afterFrame: number]>();

  constructor(memory: ChannelMemory, private readonly port: MessagePort) {
    this.geometry = new RingGeometry(memory);
    this.control = new Int32Array(memory.control);
    this.ring = new Int32Array(memory.ring);
  }

  /**
   * The comment of frame `frame` (NO_COMMENT for none), waiting for the decider as long as it takes; null
   * when the input the decider read ended before this frame (the file grew while being read: not written).
   */
  commentOf(frame: number): FrameComment | null {
    while (frame > this.decided) {
      this.decided = Atomics.load(this.control, Word.Decided);
      if (frame <= this.decided) break;
      if (Atomics.load(this.control, Word.Stop) !== 0) throw new StopRequested('stopped by the deciding thread');
      if (Atomics.load(this.control, Word.Done) !== 0 && frame > Atomics.load(this.control, Word.Total)) return null;
      this.reportWritten(frame - 1);
      Atomics.wait(this.control, Word.Decided, this.decided, 100);
    }
    const id = this.ring[(frame - 1) & this.geometry.mask]!;
    if (id === 0) return NO_COMMENT;
    let comment = this.texts.get(id);
    if (comment === undefined) {
      this.drain();
      comment = this.texts.get(id);
      if (comment === undefined) throw new Error(`frame ${frame}: comment id ${id} was never sent`);
    }
    return comment;
  }

  /** The writing thread is ending, for whatever reason: a decider blocked on it must not wait on. */
  gone(): void {
    Atomics.store(this.control, Word.WriterGone, 1);
    Atomics.notify(this.control, Word.Written);
  }

  /** Frame `frame` is written. */
  written(frame: number): void {
    if (frame % this.geometry.publishEvery === 0) {
      this.reportWritten(frame);
      this.drain();
    }
  }

  /** Texts known now (bounded by the decider's live connections plus what waits to retire). */
  get textCount(): number {
    return this.texts.size;
  }

  private reportWritten(frame: number): void {
    if (Atomics.load(this.control, Word.Written) >= frame) return;
    Atomics.store(this.control, Word.Written, frame);
    Atomics.notify(this.control, Word.Written);
    this.forgetRetired(frame);
  }

  private drain(): void {
    for (let m = receiveMessageOnPort(this.port); m !== undefined; m = receiveMessageOnPort(this.port)) {
      const batch = m.message as TextBatch;
      for (const [id, text] of batch.texts) this.texts.set(id, { text, options: commentOptionList(text) });
      for (const r of batch.retire) this.retiring.push(r);
    }
  }

  private forgetRetired(writtenUpTo: number): void {
    for (let r = this.retiring.peek(); r !== undefined && r[1] <= writtenUpTo; r = this.retiring.peek()) {
      this.texts.delete(this.retiring.shift()![0]);
    }
  }
}
