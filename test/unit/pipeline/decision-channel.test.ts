/**
 * The decision channel between the deciding and the writing thread, driven in one thread: frames decided
 * out of order (some wait), connections that end or change their text while the writer is far behind,
 * a ring that wraps many times. The writer must read every frame's own text: an id retired too early,
 * a text not sent, or a slot overwritten too soon all show up as a wrong or missing text.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageChannel } from 'node:worker_threads';
import { Counters } from '../../../src/core/counters';
import type { Connection } from '../../../src/ftp/connections';
import { DecisionReceiver, DecisionSender, newChannelMemory } from '../../../src/pipeline/decision-channel';
import { CommentIds } from '../../../src/pipeline/parallel-rewrite';

/** A stand-in for a tracked connection: CommentIds only uses outputComment. */
function fakeConnection(): Connection {
  return { outputComment: null } as unknown as Connection;
}

/** A small deterministic generator (xorshift32). */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x / 4294967296;
  };
}

test('the writer reads each frame\'s own text while connections end and change text far ahead of it', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const random = rng(seed);
    const memory = newChannelMemory(1024);
    const { port1, port2 } = new MessageChannel();
    const sender = new DecisionSender(memory, port1);
    const receiver = new DecisionReceiver(memory, port2);
    const ids = new CommentIds(sender, new Counters());
    const ring = sender.geometry.frames;
    const expected: string[] = [''];
    const live: { conn: Connection; text: string; n: number }[] = [];
    const waiting: { frame: number; conn: Connection; text: () => string }[] = [];
    let written = 0;
    let nextConn = 0;
    const frames = 30_000;

    // The writer lags as far as the ring allows, so texts are needed long after their connection ended.
    const writeUpTo = (limit: number): void => {
      while (written < limit) {
        const c = receiver.commentOf(written + 1);
        assert.ok(c !== null, `seed ${seed}: frame ${written + 1} past the end`);
        assert.equal(c.text, expected[written + 1], `seed ${seed}: frame ${written + 1}`);
        written++;
        receiver.written(written);
      }
    };
    const publish = (upTo: number): void => {
      const decided = waiting.length > 0 ? Math.min(upTo, waiting[0]!.frame - 1) : upTo;
      ids.retireUpTo(decided);
      sender.publish(decided);
    };

    for (let f = 1; f <= frames; f++) {
      if (f - written > ring - 64) writeUpTo(f - ring + 256);
      if (live.length < 5 || random() < 0.05) live.push({ conn: fakeConnection(), text: `c${nextConn++} v0`, n: 0 });
      const i = Math.floor(random() * live.length);
      const l = live[i]!;
      if (random() < 0.02) l.text = `${l.text.split(' ')[0]} v${++l.n}`; // a control comment that changes (user=)
      if (random() < 0.01 && waiting.length < 50) {
        // Decided later, with the text its connection has then.
        expected[f] = '';
        waiting.push({ frame: f, conn: l.conn, text: () => l.text });
      } else {
        expected[f] = l.text;
        sender.decide(f, ids.idFor(l.conn, l.text, f - 1));
      }
      if (waiting.length > 0 && (random() < 0.05 || f - waiting[0]!.frame > ring / 2)) {
        const w = waiting.shift()!;
        const text = w.text();
        expected[w.frame] = text;
        sender.decide(w.frame, ids.idFor(w.conn, text, f));
      }
      if (random() < 0.03 && live.length > 1) {
        const [gone] = live.splice(Math.floor(random() * live.length), 1);
        // Its waiting frames are decided before its end, or after it (an evicted connection's frames can
        // still wait in the gap line).
        if (random() < 0.5) {
          for (const w of waiting.filter((x) => x.conn === gone!.conn)) {
            const text = w.text();
            expected[w.frame] = text;
            sender.decide(w.frame, ids.idFor(w.conn, text, f));
          }
          waiting.splice(0, waiting.length, ...waiting.filter((x) => x.conn !== gone!.conn));
        }
        ids.connectionEnded(gone!.conn, f);
      }
      if (f % 64 === 0) publish(f);
    }
    for (const w of waiting.splice(0)) {
      const text = w.text();
      expected[w.frame] = text;
      sender.decide(w.frame, ids.idFor(w.conn, text, frames));
    }
    ids.retireUpTo(frames);
    sender.finish(frames);
    writeUpTo(frames);
    assert.equal(receiver.commentOf(frames + 1), null);
    // Retired texts were forgotten: what is left is the live connections' texts (and the last few retired).
    assert.ok(nextConn > 1000, `seed ${seed}: only ${nextConn} connections`);
    assert.ok(receiver.textCount <= live.length + 100, `seed ${seed}: ${receiver.textCount} texts kept, ${live.length} live`);
    port1.close();
  }
});
