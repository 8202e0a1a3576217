import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { FatalError } from '../../../src/core/errors';
import { findFifoArg, isCaptureArgs, parseExtcapArgs, type ExtcapArgs } from '../../../src/extcap/args';
import { DEFAULT_OPTIONS, DEFAULT_SNAPLEN, OPTION_SPECS, type ExtcapOptions } from '../../../src/extcap/options';

function parsed(argv: string[]): ExtcapArgs {
  const r = parseExtcapArgs(argv);
  if (r instanceof FatalError) assert.fail(`unexpected error for ${JSON.stringify(argv)}: ${r.message}`);
  return r;
}

function rejected(argv: string[]): FatalError {
  const r = parseExtcapArgs(argv);
  assert.ok(r instanceof FatalError, `expected ${JSON.stringify(argv)} to be rejected`);
  return r;
}

describe('extcap argv as Wireshark 4.0 passes it', () => {
  it('lists interfaces: --extcap-interfaces --extcap-version=4.0', () => {
    const a = parsed(['--extcap-interfaces', '--extcap-version=4.0']);
    assert.equal(a.verb, 'interfaces');
    assert.equal(a.wiresharkVersion, '4.0');
  });

  it('the fallback call without a version', () => {
    const a = parsed(['--extcap-interfaces']);
    assert.equal(a.verb, 'interfaces');
    assert.equal(a.wiresharkVersion, null);
  });

  it('config, dlts, reload and the GUI filter check', () => {
    const config = parsed(['--extcap-config', '--extcap-interface', 'ftpflow-lo']);
    assert.deepEqual([config.verb, config.iface, config.device, config.reloadOption], ['config', 'ftpflow-lo', 'lo', null]);
    const reload = parsed(['--extcap-config', '--extcap-interface', 'ftpflow-lo', '--extcap-reload-option', 'log-level']);
    assert.deepEqual([reload.verb, reload.reloadOption], ['config', 'log-level']);
    const dlts = parsed(['--extcap-dlts', '--extcap-interface', 'ftpflow-any']);
    assert.deepEqual([dlts.verb, dlts.device], ['dlts', 'any']);
    const check = parsed(['--extcap-capture-filter', 'tcp port 21', '--extcap-interface', 'ftpflow-eth0']);
    assert.deepEqual([check.verb, check.captureFilter, check.device], ['filter-check', 'tcp port 21', 'eth0']);
  });

  it('a real capture call (tshark 4.0.17, defaults passed as separate items)', () => {
    const a = parsed([
      '--capture', '--extcap-interface', 'ftpflow-lo', '--fifo', '/tmp/wireshark_extcap_ftpflow-loMQJ8Y3',
      '--control-ports', '21', '--snaplen', String(DEFAULT_SNAPLEN), '--promiscuous', 'true', '--buffer-size', '16',
      '--lookahead', '1', '--sidecar', 'auto',
    ]);
    assert.equal(a.verb, 'capture');
    assert.ok(isCaptureArgs(a));
    assert.equal(a.fifo, '/tmp/wireshark_extcap_ftpflow-loMQJ8Y3');
    assert.equal(a.device, 'lo');
    assert.deepEqual(a.options, { ...DEFAULT_OPTIONS, controlPorts: new Set([21]) });
  });

  it('a GUI capture call with a filter and control pipes, --opt=value form', () => {
    const a = parsed([
      '--capture', '--extcap-interface=ftpflow-eth0', '--extcap-capture-filter=host 10.0.0.1', '--fifo=/tmp/f',
      '--extcap-control-out=/tmp/out', '--extcap-control-in=/tmp/in', '--control-ports=21,2121', '--detect-control',
    ]);
    assert.deepEqual(
      [a.verb, a.device, a.captureFilter, a.fifo, a.controlOut, a.controlIn],
      ['capture', 'eth0', 'host 10.0.0.1', '/tmp/f', '/tmp/out', '/tmp/in'],
    );
    assert.deepEqual([...a.options.controlPorts], [21, 2121]);
    assert.equal(a.options.detectControl, true);
  });

  it('a value may start with "=" or contain "=" (only the first "=" splits)', () => {
    const a = parsed(['--capture', '--extcap-interface', 'ftpflow-lo', '--fifo', '/tmp/f', '--extcap-capture-filter=a=b']);
    assert.equal(a.captureFilter, 'a=b');
  });
});

describe('our own options', () => {
  it('apply our defaults when Wireshark passes nothing', () => {
    const a = parsed(['--capture', '--extcap-interface', 'ftpflow-lo', '--fifo', '/tmp/f']);
    assert.deepEqual(a.options, DEFAULT_OPTIONS);
    assert.deepEqual([...a.options.controlPorts], [21]);
    assert.equal(a.options.snaplen, 262_144 - 8192);
  });

  it('the defaults --extcap-config declares parse to the defaults we apply', () => {
    // Wireshark passes declared defaults back verbatim; they must mean exactly our built-in defaults.
    const argv: string[] = ['--capture', '--extcap-interface', 'ftpflow-lo', '--fifo', '/tmp/f'];
    for (const spec of OPTION_SPECS) {
      const dflt = spec.ui.default ?? spec.ui.values?.find((v) => v.default)?.value;
      if (dflt === undefined) continue;
      if (spec.form === 'flag') {
        if (dflt === 'true') argv.push(spec.call);
      } else argv.push(spec.call, dflt);
    }
    assert.deepEqual(parsed(argv).options, DEFAULT_OPTIONS);
  });

  const base = ['--capture', '--extcap-interface', 'ftpflow-lo', '--fifo', '/tmp/f'];
  const cases: { argv: string[]; want: Partial<ExtcapOptions> }[] = [
    { argv: ['--control-ports', '21,2121,2100-2102'], want: { controlPorts: new Set([21, 2121, 2100, 2101, 2102]) } },
    { argv: ['--control-ports=990'], want: { controlPorts: new Set([990]) } },
    { argv: ['--control-ports', ' 21 , 2121 '], want: { controlPorts: new Set([21, 2121]) } },
    { argv: ['--control-ports', '1,65535'], want: { controlPorts: new Set([1, 65535]) } },
    { argv: ['--detect-control'], want: { detectControl: true } },
    { argv: ['--detect-control=false'], want: { detectControl: false } },
    { argv: ['--snaplen', '64'], want: { snaplen: 64 } },
    { argv: ['--snaplen=261120'], want: { snaplen: 261120 } },
    { argv: ['--promiscuous', 'false'], want: { promiscuous: false } },
    { argv: ['--promiscuous=no'], want: { promiscuous: false } },
    { argv: ['--promiscuous', 'TRUE'], want: { promiscuous: true } },
    // A bare boolean means true and must not swallow the next option.
    { argv: ['--promiscuous', '--snaplen', '1500'], want: { promiscuous: true, snaplen: 1500 } },
    { argv: ['--buffer-size', '1'], want: { bufferSizeMiB: 1 } },
    { argv: ['--buffer-size=1024'], want: { bufferSizeMiB: 1024 } },
    { argv: ['--lookahead', '0'], want: { lookaheadSeconds: 0 } },
    { argv: ['--lookahead', '2.5'], want: { lookaheadSeconds: 2.5 } },
    { argv: ['--lookahead=.25'], want: { lookaheadSeconds: 0.25 } },
    { argv: ['--sidecar', 'off'], want: { sidecar: { kind: 'off' } } },
    { argv: ['--sidecar', 'AUTO'], want: { sidecar: { kind: 'auto' } } },
    { argv: ['--sidecar', ''], want: { sidecar: { kind: 'auto' } } },
    { argv: ['--sidecar', '/run/ftpflow/sidecar.sock'], want: { sidecar: { kind: 'address', address: '/run/ftpflow/sidecar.sock' } } },
    { argv: ['--sidecar=127.0.0.1:7021'], want: { sidecar: { kind: 'address', address: '127.0.0.1:7021' } } },
    { argv: ['--log-level', 'noisy'], want: { logLevel: 'noisy' } },
    { argv: ['--log-level=Debug'], want: { logLevel: 'debug' } },
    { argv: ['--log-file', '/tmp/ftpflow log.txt'], want: { logFile: '/tmp/ftpflow log.txt' } },
    { argv: ['--log-file='], want: { logFile: null } },
    // The last occurrence wins, as with getopt.
    { argv: ['--snaplen', '100', '--snaplen=200'], want: { snaplen: 200 } },
  ];
  for (const { argv, want } of cases) {
    it(`${argv.join(' ')}`, () => {
      assert.deepEqual(parsed([...base, ...argv]).options, { ...DEFAULT_OPTIONS, ...want });
    });
  }
});

describe('rejections: one clear line, code E_ARGS', () => {
  const cases: { argv: string[]; says: RegExp }[] = [
    { argv: ['--extcap-interfaces', '--frobnicate'], says: /unknown option --frobnicate/ },
    { argv: ['--extcap-interfaces', '--debug'], says: /unknown option --debug/ },
    { argv: ['--extcap-interfaces', 'stray'], says: /unexpected argument "stray"/ },
    { argv: ['--extcap-interfaces', '-D'], says: /unexpected argument "-D"/ },
    { argv: ['--extcap-interfaces=yes'], says: /--extcap-interfaces takes no value/ },
    { argv: ['--extcap-config', '--extcap-interface'], says: /--extcap-interface needs a value/ },
    { argv: ['--extcap-config'], says: /--extcap-config needs --extcap-interface/ },
    { argv: ['--extcap-dlts'], says: /--extcap-dlts needs --extcap-interface/ },
    { argv: ['--extcap-config', '--extcap-interface', 'sshdump'], says: /unknown interface "sshdump"/ },
    { argv: ['--extcap-config', '--extcap-interface', 'ftpflow-'], says: /unknown interface "ftpflow-"/ },
    { argv: ['--capture', '--extcap-interface', 'ftpflow-lo'], says: /--capture needs --fifo/ },
    { argv: ['--extcap-interfaces', '--extcap-config', '--extcap-interface', 'ftpflow-lo'], says: /choose one of --extcap-interfaces, --extcap-config/ },
    { argv: ['--control-ports'], says: /--control-ports needs a value/ },
    { argv: ['--control-ports', ''], says: /--control-ports: empty port list/ },
    { argv: ['--control-ports', '0'], says: /--control-ports: bad port range "0"/ },
    { argv: ['--control-ports', '65536'], says: /--control-ports: bad port range "65536"/ },
    { argv: ['--control-ports', '21;2121'], says: /--control-ports: bad port "21;2121"/ },
    { argv: ['--control-ports', '2110-2100'], says: /--control-ports: bad port range "2110-2100"/ },
    { argv: ['--control-ports', 'ftp'], says: /--control-ports: bad port "ftp"/ },
    { argv: ['--snaplen', '63'], says: /--snaplen: 63 is out of range \(64-261120 bytes\)/ },
    { argv: ['--snaplen', '262144'], says: /--snaplen: 262144 is out of range/ },
    { argv: ['--snaplen', '1e5'], says: /--snaplen: "1e5" is not a whole number of bytes/ },
    { argv: ['--snaplen', '-1'], says: /--snaplen: "-1" is not a whole number/ },
    { argv: ['--buffer-size', '0'], says: /--buffer-size: 0 is out of range \(1-1024 MiB\)/ },
    { argv: ['--buffer-size', '1.5'], says: /--buffer-size: "1.5" is not a whole number of MiB/ },
    { argv: ['--lookahead', '61'], says: /--lookahead: 61 is out of range \(0-60 seconds\)/ },
    { argv: ['--lookahead', 'soon'], says: /--lookahead: "soon" is not a number of seconds/ },
    { argv: ['--promiscuous=maybe'], says: /--promiscuous: "maybe" is not true or false/ },
    { argv: ['--detect-control=2'], says: /--detect-control: "2" is not true or false/ },
    { argv: ['--log-level', 'verbose'], says: /--log-level: "verbose" is not one of message, info, debug, noisy/ },
  ];
  for (const { argv, says } of cases) {
    it(argv.join(' ') || '(empty)', () => {
      const err = rejected(argv);
      assert.equal(err.code, 'E_ARGS');
      assert.match(err.message, says);
      assert.doesNotMatch(err.message, /\n/);
    });
  }
});

describe('other verbs', () => {
  it('no arguments asks for help; --help and --version are verbs', () => {
    assert.equal(parsed([]).verb, 'help');
    assert.equal(parsed(['--help']).verb, 'help');
    assert.equal(parsed(['--version']).verb, 'version');
  });

  it('a bare --extcap-version (with or without a value) asks for the extcap sentence', () => {
    assert.equal(parsed(['--extcap-version']).verb, 'extcap-version');
    assert.equal(parsed(['--extcap-version=4.2']).verb, 'extcap-version');
  });

  it('--extcap-version never takes the next item as its value (getopt optional_argument)', () => {
    assert.equal(rejected(['--extcap-version', '4.0']).message, 'unexpected argument "4.0"');
  });
});

describe('findFifoArg (for failing a capture whose argv does not parse)', () => {
  const cases: [string[], string | null][] = [
    [['--capture', '--fifo', '/tmp/x', '--bogus'], '/tmp/x'],
    [['--capture', '--bogus', '--fifo=/tmp/y'], '/tmp/y'],
    [['--capture', '--fifo'], null],
    [['--capture'], null],
  ];
  for (const [argv, want] of cases) {
    it(argv.join(' '), () => assert.equal(findFifoArg(argv), want));
  }
});
