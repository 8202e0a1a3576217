/**
 * Live capture on loopback with real libpcap (the patched cap binding) and real dumpcap. Needs
 * capture rights (root here and in CI); every exchange is bounded in count and time.
 */
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { openDumpcapCapture } from '../../../src/capture/dumpcap-source';
import { openCapture } from '../../../src/capture/open-capture';
import {
  DeviceOpenError,
  checkCaptureFilter,
  openLiveCapture,
  type LiveCapture,
  type LiveOptions,
} from '../../../src/capture/live-source';
import { FatalError } from '../../../src/core/errors';
import { requestMarkers, watchExchange, type ExchangeResult } from './exchange-scenario';
import { parseTcpFrame } from './loopback-traffic';

const COUNT = 200;
const base: Omit<LiveOptions, 'filter'> = { device: 'lo', snaplen: 262144, bufferSize: 4 << 20, immediate: false, timeoutMs: 100 };
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('libpcap and dumpcap watching the same 200-request exchange on lo', () => {
  let result: ExchangeResult;
  before(async () => {
    result = await watchExchange('127.0.0.1', COUNT, [
      (filter) => openLiveCapture({ ...base, filter }),
      (filter) => openDumpcapCapture({ ...base, filter }),
    ]);
  });

  it('libpcap delivers every request exactly once, in order, in batches', () => {
    const w = result.watched[0]!;
    assert.equal(w.capture.backend, 'libpcap');
    assert.equal(w.capture.linkType, 1); // Linux lo is Ethernet
    assert.deepEqual(requestMarkers(w.packets, result.port), range(COUNT));
    // Each response too: the server's 6-byte echoes.
    const echoes = w.packets.filter((p) => parseTcpFrame(p.data)?.srcPort === result.port && parseTcpFrame(p.data)!.payloadLen === 6);
    assert.equal(echoes.length, COUNT);
    assert.ok(w.batches < w.packets.length, `${w.batches} batches for ${w.packets.length} packets`);
    assert.deepEqual(w.errors, []);
  });

  it('timestamps are kernel stamps: inside the wall-clock window, monotonic, ns precision when libpcap offers it', () => {
    const w = result.watched[0]!;
    const [t0, t1] = result.windowNs;
    let prev = 0n;
    for (const p of w.packets) {
      assert.ok(p.tsNs >= t0 && p.tsNs <= t1, `${p.tsNs} outside [${t0}, ${t1}]`);
      assert.ok(p.tsNs >= prev, 'timestamps go backwards');
      prev = p.tsNs;
    }
    assert.equal(w.capture.nanoTimestamps, true); // Linux libpcap >= 1.5 always offers ns
    const subMicro = w.packets.filter((p) => p.tsNs % 1000n !== 0n).length;
    assert.ok(subMicro > w.packets.length / 2, `${subMicro} of ${w.packets.length} stamps use the ns digits`);
  });

  it('each packet owns its bytes and carries its original length', () => {
    const w = result.watched[0]!;
    const snapshot = w.packets.map((p) => Buffer.from(p.data).toString('hex'));
    // Later batches must not have overwritten earlier packets (stock cap reuses one buffer).
    const markers = requestMarkers(w.packets, result.port);
    assert.deepEqual(markers, range(COUNT));
    for (const [i, p] of w.packets.entries()) {
      assert.equal(Buffer.from(p.data).toString('hex'), snapshot[i]);
      assert.equal(p.origLen, p.data.length);
      assert.equal(p.origLen, parseTcpFrame(p.data)!.wireLen);
    }
  });

  it('stats() counts what the kernel saw and dropped nothing', () => {
    const w = result.watched[0]!;
    assert.equal(w.stats.drop, 0);
    assert.equal(w.stats.ifdrop, 0);
    // Linux counts loopback packets twice (out and in); libpcap delivers one copy.
    assert.ok(w.stats.recv >= w.packets.length, `recv ${w.stats.recv} < delivered ${w.packets.length}`);
  });

  it('dumpcap yields the same packets, bytes and lengths, stamped within a millisecond', () => {
    const [lib, dc] = [result.watched[0]!, result.watched[1]!];
    assert.equal(dc.capture.backend, 'dumpcap');
    assert.equal(dc.capture.linkType, 1);
    assert.equal(dc.capture.nanoTimestamps, true);
    const view = (w: typeof lib): string[] => w.packets.map((p) => `${p.origLen} ${Buffer.from(p.data).toString('hex')}`);
    assert.deepEqual(view(dc), view(lib));
    // Each packet socket stamps its own copy when the kernel hands it over: close, not equal.
    for (const [i, p] of dc.packets.entries()) {
      const gap = p.tsNs - lib.packets[i]!.tsNs;
      assert.ok(gap > -1_000_000n && gap < 1_000_000n, `packet ${i}: stamps ${gap} ns apart`);
    }
    assert.ok(dc.stats.recv >= dc.packets.length);
    assert.deepEqual(dc.errors, []);
  });
});

describe('snaplen 60 cuts packets and keeps the original length', () => {
  for (const backend of ['libpcap', 'dumpcap'] as const) {
    it(backend, async () => {
      const result = await watchExchange('127.0.0.1', 50, [(filter) => openCapture({ ...base, filter, snaplen: 60, backend })]);
      const w = result.watched[0]!;
      assert.equal(w.capture.backend, backend);
      assert.equal(requestMarkers(w.packets, result.port).length, 50);
      let cut = 0;
      for (const p of w.packets) {
        const f = parseTcpFrame(p.data)!;
        assert.equal(p.origLen, f.wireLen);
        assert.equal(p.data.length, Math.min(60, p.origLen));
        if (p.origLen > p.data.length) cut++;
      }
      assert.ok(cut >= 100, `only ${cut} packets were cut`); // every request and echo is 72 bytes
    });
  }
});

describe('immediate mode (TPACKET_V2 on Linux) also delivers everything', () => {
  it('libpcap, immediate on, 1 ms time-out', async () => {
    const result = await watchExchange('127.0.0.1', 50, [(filter) => openLiveCapture({ ...base, filter, immediate: true, timeoutMs: 1 })]);
    assert.deepEqual(requestMarkers(result.watched[0]!.packets, result.port), range(50));
  });
});

describe('open failures are one-line FatalErrors', () => {
  const cases: { name: string; opts: Partial<LiveOptions>; code: string; reason?: string; text: RegExp }[] = [
    { name: 'bad filter', opts: { filter: 'tcp port' }, code: 'E_FILTER', text: /capture filter "tcp port" is not valid: .*syntax error/ },
    { name: 'filter for the wrong link layer', opts: { filter: 'type mgt' }, code: 'E_FILTER', text: /not valid: 802\.11 link-layer types supported only on 802\.11/ },
    { name: 'unknown device', opts: { device: 'nosuchdev0' }, code: 'E_DEVICE_OPEN', reason: 'no-device', text: /cannot capture on "nosuchdev0".*No such device/i },
    { name: 'snaplen 0', opts: { snaplen: 0 }, code: 'E_ARGS', text: /snaplen must be/ },
    { name: 'empty device', opts: { device: '' }, code: 'E_ARGS', text: /no capture device/ },
  ];
  for (const backend of ['libpcap', 'dumpcap', 'auto'] as const) {
    for (const c of cases) {
      it(`${backend}: ${c.name}`, async () => {
        let caught: unknown;
        let opened: LiveCapture | undefined;
        try {
          opened = await openCapture({ ...base, filter: '', ...c.opts, backend });
        } catch (e) {
          caught = e;
        }
        opened?.close();
        assert.ok(caught instanceof FatalError, `expected a FatalError, got ${String(caught)}`);
        assert.equal(caught.code, c.code);
        assert.match(caught.message, c.text);
        assert.doesNotMatch(caught.message, /[\r\n]/);
        if (c.reason) assert.equal((caught as DeviceOpenError).reason, c.reason);
      });
    }
  }
});

describe('checkCaptureFilter compiles without a device', () => {
  const table: [string, number | undefined, boolean][] = [
    ['', undefined, true],
    ['tcp port 21', undefined, true],
    ['tcp port 21 or tcp portrange 50000-50100', 1, true],
    ['host 192.0.2.1 and not port 22', 1, true],
    ['vlan and tcp', 1, true],
    ['tcp[tcpflags] & (tcp-syn|tcp-fin) != 0', 1, true],
    ['tcp', 101, true],                             // raw IP
    ['tcp', 113, true],                             // Linux cooked
    ['tcp port', 1, false],
    ['tcp port 70000', 1, false],
    ['host 999.1.1.1', 1, false],
    ['ether host 01:02:03:04:05:06', 101, false],  // raw IP has no MAC addresses
    ['type mgt', 1, false],                        // 802.11 only
    ['ip6 and tcp[tcpflags] & tcp-syn != 0', 1, false], // tcp[] reads IPv4 only: rejects every packet
    ['nonsense words', 1, false],
  ];
  for (const [filter, linkType, valid] of table) {
    it(`${JSON.stringify(filter)} on ${linkType ?? 'default'} -> ${valid ? 'valid' : 'error'}`, () => {
      const r = checkCaptureFilter(filter, linkType);
      if (valid) assert.equal(r, null);
      else {
        assert.equal(typeof r, 'string');
        assert.ok(r!.length > 0);
        assert.doesNotMatch(r!, /[\r\n]/);
      }
    });
  }
});

describe('close and stats around the capture life', () => {
  let capture: LiveCapture | undefined;
  after(() => capture?.close());
  it('close is idempotent, never throws, and stats stay readable after it', () => {
    capture = openLiveCapture({ ...base, filter: 'tcp port 9' });
    capture.start(() => undefined);
    const before = capture.stats();
    assert.deepEqual(Object.keys(before).sort(), ['drop', 'ifdrop', 'recv']);
    capture.close();
    capture.close();
    assert.deepEqual(capture.stats(), before);
    capture.start(() => assert.fail('no batches after close'));
  });
});
