/**
 * The deciding thread's side of the two-thread offline path: starts the writing thread
 * (rewrite-worker.ts), hands it each frame's comment through the decision channel, and waits for it.
 */
import * as path from 'node:path';
import { MessageChannel, Worker } from 'node:worker_threads';
import type { CounterName } from '../core/counter-names';
import type { Counters } from '../core/counters';
import { Fifo } from '../core/fifo';
import { FatalError } from '../core/errors';
import type { Connection } from '../ftp/connections';
import { DecisionSender, newChannelMemory, RING_FRAMES } from './decision-channel';
import type { GapSink } from './gap-line';
import type { RewriteJob, RewriteOutcome } from './rewrite-worker';

export interface WriterResult {
  frames: number;
  readError: string | null;
  counters: Record<string, number>;
}

/** How long a paused decider sleeps between looks at the writer (it also wakes on the writer's progress). */
const PAUSE_POLL_MS = 200;
/** The writing thread's young generation (V8's default grows to 48 MB). */
const WRITER_YOUNG_GENERATION_MB = 4;

/**
 * Comment ids for the decision channel: one per connection and text, so a text crosses to the writer
 * once. An id is retired when its connection has ended (or changed text) and every frame up to then is
 * decided. Cap: one entry per tracked connection (the tracker's own cap) plus those waiting to retire.
 */
export class CommentIds {
  /** Connections holding an id. */
  private live = 0;
  /** Connections that ended or changed text, by frame, waiting for the decided count to pass it. */
  private readonly pending = new Fifo<{ conn: Connection | null; id: number; frame: number }>();
  private nextId = 1;

  constructor(private readonly sender: DecisionSender, private readonly counters: Counters) {}

  idFor(conn: Connection, text: string, frame: number): number {
    const known = conn.outputComment;
    if (known !== null) {
      if (known.text === text) return known.id;
      this.pending.push({ conn: null, id: known.id, frame });
    } else {
      this.live++;
      this.counters.max('rewrite.comment_ids_peak', this.live);
    }
    const id = this.nextId++;
    conn.outputComment = { id, text };
    this.sender.addText(id, text);
    return id;
  }

  connectionEnded(conn: Connection, frame: number): void {
    if (conn.outputComment !== null) this.pending.push({ conn, id: 0, frame });
  }

  /** Every frame up to `decided` is decided: ids no later frame can use go to the writer to forget. */
  retireUpTo(decided: number): void {
    for (let next = this.pending.peek(); next !== undefined && next.frame <= decided; next = this.pending.peek()) {
      const p = this.pending.shift()!;
      if (p.conn === null) {
        this.sender.retire(p.id, p.frame);
        continue;
      }
      const known = p.conn.outputComment;
      if (known === null) continue;
      p.conn.outputComment = null;
      this.live--;
      this.sender.retire(known.id, p.frame);
    }
  }
}

export interface ParallelRewriterOptions {
  input: string;
  outputPath: string;
  application: string;
  counters: Counters;
  /** Frames the decision ring holds (default RING_FRAMES; tests make it wrap with small ones). */
  ringFrames?: number;
}

/**
 * Runs the writing thread and feeds it decisions. Per frame the caller says startFrame, decides it now
 * (decide) or lets a GapLine hold it (this is that line's sink: it decides the frame when filled), then
 * endFrame with the oldest frame still waiting, so that decisions are published in order.
 */
export class ParallelRewriter implements GapSink<number> {
  private readonly sender: DecisionSender;
  private readonly ids: CommentIds;
  private readonly worker: Worker;
  private readonly outcome: Promise<RewriteOutcome>;
  private failure: Error | null = null;
  private lastFrame = 0;
  /** The writer's progress as last looked at (it only grows). */
  private writtenSeen = 0;
  private oldestWaiting = 0;

  constructor(o: ParallelRewriterOptions) {
    const memory = newChannelMemory(o.ringFrames ?? RING_FRAMES);
    const channel = new MessageChannel();
    this.sender = new DecisionSender(memory, channel.port1);
    this.ids = new CommentIds(this.sender, o.counters);
    const job: RewriteJob = {
      input: o.input, outputPath: o.outputPath, application: o.application, memory, texts: channel.port2,
    };
    this.worker = new Worker(path.join(__dirname, 'rewrite-worker.js'), {
      workerData: { ftpflowRewrite: job }, transferList: [channel.port2],
      // Little of its garbage lives long (the comment texts): a small young generation keeps its heap (and RSS) small.
      resourceLimits: { maxYoungGenerationSizeMb: WRITER_YOUNG_GENERATION_MB },
    });
    this.outcome = new Promise<RewriteOutcome>((resolve, reject) => {
      let settled: RewriteOutcome | null = null;
      this.worker.once('message', (m: RewriteOutcome) => { settled = m; });
      this.worker.once('error', (err) => { this.failure = err; reject(err); });
      this.worker.once('exit', (code) => {
        if (settled !== null) resolve(settled);
        else {
          this.failure ??= new Error(`the writing thread exited with code ${code} and no result`);
          reject(this.failure);
        }
      });
    });
    this.outcome.then((m) => {
      if (m.kind === 'fatal') this.failure = new FatalError(m.code, m.message);
    }, () => {});
    channel.port1.unref();
  }

  /** Frame `frame` carries the comment for `conn` ('' text: none). */
  decide(frame: number, conn: Connection | null, text: string): void {
    this.sender.decide(frame, conn === null || text === '' ? 0 : this.ids.idFor(conn, text, this.lastFrame - 1));
  }

  /**
   * Before the engine sees frame `frame`. Its slot in the ring must be free: the reader's pause() keeps
   * the writer close enough nearly always; when it did not (a small ring), this waits here.
   */
  startFrame(frame: number): void {
    const frames = this.sender.geometry.frames;
    if (frame - this.writtenSeen > frames) {
      this.writtenSeen = this.sender.written;
      if (frame - this.writtenSeen > frames) {
        this.publish();
        this.sender.waitForWritten(frame - frames);
        this.writtenSeen = this.sender.written;
      }
    }
    this.lastFrame = frame;
  }

  /** After frame `lastFrame` is decided or held: `oldestWaiting` is the oldest frame not decided (0: none). */
  endFrame(oldestWaiting: number): void {
    this.oldestWaiting = oldestWaiting;
    if (this.lastFrame % this.sender.geometry.publishEvery === 0) this.publish();
  }

  /** The engine ended `conn` (while classifying the current frame, which may still be one of its own). */
  connectionEnded(conn: Connection): void {
    this.ids.connectionEnded(conn, this.lastFrame);
  }

  // GapSink: the GapLine holds frame numbers.
  fill(frame: number, conn: Connection | null, text: string): void {
    this.decide(frame, conn, text);
  }

  overLimit(oldest: number): CounterName | null {
    const g = this.sender.geometry;
    return this.lastFrame - oldest >= g.frames - 2 * g.slack ? 'delay.released_by_span' : null;
  }

  /** For the reader's pause(): a promise while the writer is too far behind to take more frames. */
  pause(): Promise<void> | null {
    if (this.failure !== null) return Promise.reject(this.failure);
    if (!this.writerTooFarBehind()) return null;
    this.publish(); // everything decided so far, so that the writer can catch up
    return this.waitForWriter();
  }

  /** The input had `total` frames, all decided: waits for the writer to write them and close. */
  async finish(total: number): Promise<WriterResult> {
    this.lastFrame = total;
    this.oldestWaiting = 0;
    this.ids.retireUpTo(total);
    this.sender.finish(total);
    const m = await this.outcome;
    if (m.kind === 'fatal') throw new FatalError(m.code, m.message);
    if (m.kind === 'stopped') throw new Error('the writing thread stopped before the end');
    return m;
  }

  /** The decider failed: stops the writer and waits for it to let go of the output. */
  async abort(): Promise<void> {
    this.sender.stop();
    await this.outcome.catch(() => {});
  }

  private writerTooFarBehind(): boolean {
    const g = this.sender.geometry;
    return this.lastFrame + g.slack - this.sender.written > g.frames;
  }

  private publish(): void {
    const decided = this.oldestWaiting === 0 ? this.lastFrame : this.oldestWaiting - 1;
    this.ids.retireUpTo(decided);
    this.sender.publish(decided);
  }

  private async waitForWriter(): Promise<void> {
    while (this.writerTooFarBehind()) {
      if (this.failure !== null) throw this.failure;
      await Promise.race([this.sender.writtenChange(this.sender.written, PAUSE_POLL_MS), this.outcome.then(() => {}, () => {})]);
    }
    if (this.failure !== null) throw this.failure;
  }
}
