import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { dumpcapArgs, dumpcapFailure, openDumpcapCapture } from '../../../src/capture/dumpcap-source';
import { FatalError } from '../../../src/core/errors';
import { DeviceOpenError, type LiveOptions } from '../../../src/capture/live-source';

const o: LiveOptions = { device: 'lo', filter: 'tcp port 21', snaplen: 60, bufferSize: 3 * 1024 * 1024 + 1, immediate: false, timeoutMs: 100 };

describe('dumpcapArgs', () => {
  it('pcapng on stdout, quiet, buffer rounded up to MiB', () => {
    assert.deepEqual(dumpcapArgs(o), ['-i', 'lo', '-s', '60', '-B', '4', '-w', '-', '-n', '-q', '-f', 'tcp port 21']);
  });
  it('no -f for an empty filter; at least 1 MiB', () => {
    assert.deepEqual(dumpcapArgs({ ...o, filter: '  ', bufferSize: 0 }), ['-i', 'lo', '-s', '60', '-B', '1', '-w', '-', '-n', '-q']);
  });
});

describe('dumpcapFailure turns dumpcap 4.0 stderr into one line', () => {
  // Texts as dumpcap 4.0.17 printed them here.
  const table: { name: string; stderr: string; code: string; reason?: string; message: string }[] = [
    {
      name: 'bad filter',
      stderr: "Capturing on 'Loopback: lo'\ndumpcap: Invalid capture filter \"tcp port\" for interface 'lo'.\n\nThat string isn't a valid capture filter (can't parse filter expression: syntax error).\nSee the User's Guide for a description of the capture filter syntax.\n",
      code: 'E_FILTER',
      message: 'capture filter "tcp port 21" is not valid: can\'t parse filter expression: syntax error',
    },
    {
      name: 'unknown device',
      stderr: "Capturing on 'nosuchdev0'\ndumpcap: There is no device named \"nosuchdev0\".\n(No such device exists)\n",
      code: 'E_DEVICE_OPEN',
      reason: 'no-device',
      message: 'cannot capture on "lo" with dumpcap: There is no device named "nosuchdev0". (No such device exists)',
    },
    {
      name: 'no permission (advice paragraphs dropped)',
      stderr: "Capturing on 'Loopback: lo'\ndumpcap: You do not have permission to capture on device \"lo\".\n(socket: Operation not permitted)\nPlease check to make sure you have sufficient permissions.\n\nOn Debian and Debian derivatives such as Ubuntu, if you have installed Wireshark from a package, try running\n\n    sudo dpkg-reconfigure wireshark-common\n",
      code: 'E_DEVICE_OPEN',
      reason: 'permission',
      message: 'cannot capture on "lo" with dumpcap: You do not have permission to capture on device "lo". (socket: Operation not permitted)',
    },
    {
      name: 'interface gone mid-capture (statistics line ignored)',
      stderr: "Capturing on 'ftpv0'\ndumpcap: The network adapter \"ftpv0\" is no longer attached; the capture has stopped.\nPackets received/dropped on interface 'ftpv0': 3/0 (pcap:0/dumpcap:0/flushed:0/ps_ifdrop:0) (0.0%)\n",
      code: 'E_DEVICE_OPEN',
      reason: 'other',
      message: 'cannot capture on "lo" with dumpcap: The network adapter "ftpv0" is no longer attached; the capture has stopped.',
    },
    {
      name: 'nothing said',
      stderr: '',
      code: 'E_DEVICE_OPEN',
      reason: 'other',
      message: 'cannot capture on "lo" with dumpcap: dumpcap exited with code 2',
    },
  ];
  for (const c of table) {
    it(c.name, () => {
      const e = dumpcapFailure(o, c.stderr, 2);
      assert.equal(e.code, c.code);
      assert.equal(e.message, c.message);
      if (c.reason) assert.equal((e as DeviceOpenError).reason, c.reason);
    });
  }
});

describe('openDumpcapCapture without a dumpcap', () => {
  it('rejects with one E_DEVICE_OPEN line', async () => {
    await assert.rejects(openDumpcapCapture({ ...o, dumpcapPath: '/nonexistent/dumpcap' }), (e: unknown) => {
      assert.ok(e instanceof FatalError);
      assert.equal(e.code, 'E_DEVICE_OPEN');
      assert.equal(e.message, 'cannot capture on "lo": cannot run dumpcap (spawn /nonexistent/dumpcap ENOENT)');
      return true;
    });
  });
});
