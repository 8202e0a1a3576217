import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';

import { FatalError } from '../../../src/core/errors';
import { parseExtcapArgs } from '../../../src/extcap/args';
import { configSentences, dltSentences, extcapSentence, interfaceSentences } from '../../../src/extcap/discovery';
import { sentence, sentenceValue } from '../../../src/extcap/grammar';
import { deviceOf, interfaceName, preferenceName } from '../../../src/extcap/interface-name';
import { LINK_ETHERNET, LINK_LINUX_SLL, linkTypeOf } from '../../../src/extcap/link-type';
import { OPTION_SPECS } from '../../../src/extcap/options';
import type { PackageInfo } from '../../../src/core/package-info';
import { checkExtcapOutput, isTrue } from './sentence-checker';

const INFO: PackageInfo = { version: '1.2.3', root: '/opt/ftpflow', help: 'file:///opt/ftpflow/README.md' };
const text = (lines: string[]): string => lines.map((l) => `${l}\n`).join('');

describe('grammar: values Wireshark would cut short are made safe', () => {
  const cases: [string, string][] = [
    ['plain text', 'plain text'],
    ['regex ^[0-9]{1,5}$', 'regex ^[0-9]{1,5}$'], // braces inside a value are fine
    ['a}{b', 'a){b'], // `}{` would end the value
    ['a} b', 'a) b'], // so would `}` before whitespace
    ['trailing}', 'trailing}'], // followed by our own `}`: still read whole
    ['two\nlines\r\n', 'two lines '],
  ];
  for (const [input, want] of cases) {
    it(JSON.stringify(input), () => {
      assert.equal(sentenceValue(input), want);
      const check = checkExtcapOutput(`${sentence('interface', [['value', 'x'], ['display', input]])}\n`);
      assert.deepEqual(check.problems, []);
      assert.equal(check.sentences[0]?.params.get('display'), want);
    });
  }

  it('leaves out undefined parameters', () => {
    assert.equal(sentence('dlt', [['number', 1], ['name', undefined], ['display', 'x']]), 'dlt {number=1}{display=x}');
  });
});

describe('--extcap-interfaces', () => {
  const devices = [
    { name: 'eth0', description: '' },
    { name: 'lo', description: 'Loopback' },
    { name: 'eth0.100', description: 'VLAN {100} } x' },
    { name: 'lo', description: 'duplicate' },
  ];

  it('prints the extcap sentence, then one interface per device and "any" on Linux', () => {
    const check = checkExtcapOutput(text(interfaceSentences(devices, INFO, 'linux')));
    assert.deepEqual(check.problems, []);
    assert.deepEqual(check.ignored, []);
    const [head, ...ifaces] = check.sentences;
    assert.equal(head?.kind, 'extcap');
    assert.equal(head?.params.get('version'), '1.2.3');
    assert.equal(head?.params.get('help'), 'file:///opt/ftpflow/README.md');
    assert.deepEqual(
      ifaces.map((s) => [s.kind, s.params.get('value'), s.params.get('display')]),
      [
        ['interface', 'ftpflow-eth0', 'FTP sessions on eth0'],
        ['interface', 'ftpflow-lo', 'FTP sessions on lo (Loopback)'],
        ['interface', 'ftpflow-eth0.100', 'FTP sessions on eth0.100 (VLAN {100) ) x)'],
        ['interface', 'ftpflow-any', 'FTP sessions on any (all interfaces)'],
      ],
    );
  });

  it('no "any" off Linux, and none added twice', () => {
    const darwin = interfaceSentences([{ name: 'en0', description: 'Wi-Fi' }], INFO, 'darwin');
    assert.deepEqual(darwin.slice(1), ['interface {value=ftpflow-en0}{display=FTP sessions on en0 (Wi-Fi)}']);
    const withAny = interfaceSentences([{ name: 'any', description: 'Pseudo-device' }], INFO, 'linux');
    assert.equal(withAny.length, 2);
  });

  it('the extcap sentence alone answers a bare --extcap-version; help is optional', () => {
    const check = checkExtcapOutput(`${extcapSentence({ version: '0.0.0', root: null, help: null })}\n`);
    assert.deepEqual(check.problems, []);
    assert.deepEqual([...(check.sentences[0]?.params.keys() ?? [])], ['version', 'display']);
  });
});

describe('--extcap-config', () => {
  const check = checkExtcapOutput(text(configSentences()));
  const args = check.sentences.filter((s) => s.kind === 'arg');

  it('parses cleanly under Wireshark 4.0 rules', () => {
    assert.deepEqual(check.problems, []);
    assert.deepEqual(check.ignored, []);
    assert.equal(args.length, OPTION_SPECS.length);
  });

  it('numbers args 0..n in table order with the calls the parser accepts', () => {
    assert.deepEqual(args.map((s) => s.params.get('number')), OPTION_SPECS.map((_, i) => String(i)));
    assert.deepEqual(args.map((s) => s.params.get('call')), OPTION_SPECS.map((s) => s.call));
  });

  it('declares the option set the brief asks for, with these types and defaults', () => {
    const table = args.map((s) => [s.params.get('call'), s.params.get('type'), s.params.get('default'), s.params.get('group')]);
    assert.deepEqual(table, [
      ['--control-ports', 'string', '21', 'Capture'],
      ['--detect-control', 'boolflag', 'false', 'Capture'],
      ['--snaplen', 'unsigned', '253952', 'Capture'],
      ['--promiscuous', 'boolean', 'true', 'Capture'],
      ['--buffer-size', 'unsigned', '16', 'Capture'],
      ['--lookahead', 'double', '1', 'Capture'],
      ['--sidecar', 'string', 'auto', 'Sidecar'],
      ['--log-level', 'selector', undefined, 'Debug'],
      ['--log-file', 'fileselect', undefined, 'Debug'],
    ]);
  });

  it('every arg has a tooltip; the control-ports one says the filter is OR-ed with the ports', () => {
    for (const a of args) assert.ok((a.params.get('tooltip') ?? '').length > 20, a.line);
    const ports = args.find((a) => a.params.get('call') === '--control-ports');
    assert.match(ports?.params.get('tooltip') ?? '', /capture filter .* OR-ed with these ports, so control sessions are never filtered out/);
  });

  it('the control-ports validation regex agrees with the parser on typical input', () => {
    const validation = new RegExp(args[0]?.params.get('validation') ?? 'missing');
    for (const good of ['21', '21,2121', '21, 2121 ,2100-2110']) {
      assert.match(good, validation);
      assert.ok(!(parseExtcapArgs(['--control-ports', good]) instanceof FatalError), good);
    }
    for (const bad of ['', 'ftp', '21;22', '21-', ',21']) assert.doesNotMatch(bad, validation);
  });

  it('log-level is a selector whose default value is marked on its value line', () => {
    const values = check.sentences.filter((s) => s.kind === 'value');
    assert.deepEqual(values.map((v) => [v.params.get('arg'), v.params.get('value')]), [
      ['7', 'message'], ['7', 'info'], ['7', 'debug'], ['7', 'noisy'],
    ]);
    assert.deepEqual(values.filter((v) => isTrue(v.params.get('default') ?? 'false')).map((v) => v.params.get('value')), ['message']);
  });
});

describe('--extcap-dlts and link types', () => {
  const sys = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpflow-sys-'));
  after(() => fs.rmSync(sys, { recursive: true, force: true }));
  const fake: Record<string, string> = { eth0: '1\n', lo: '772\n', wg0: '65534\n', weird0: '9999\n', bad0: 'x\n' };
  for (const [dev, type] of Object.entries(fake)) {
    fs.mkdirSync(path.join(sys, dev));
    fs.writeFileSync(path.join(sys, dev, 'type'), type);
  }
  const cases: [string, NodeJS.Platform, number, string][] = [
    ['eth0', 'linux', 1, 'EN10MB'],
    ['lo', 'linux', 1, 'EN10MB'], // libpcap presents Linux loopback as Ethernet
    ['any', 'linux', 113, 'LINUX_SLL'], // libpcap 1.10 opens any as SLL v1 by default
    ['wg0', 'linux', 101, 'RAW'],
    ['weird0', 'linux', 113, 'LINUX_SLL'], // unknown ARPHRD: libpcap's cooked fallback
    ['bad0', 'linux', 1, 'EN10MB'],
    ['missing0', 'linux', 1, 'EN10MB'],
    ['../etc', 'linux', 1, 'EN10MB'],
    ['lo0', 'darwin', 0, 'NULL'],
    ['en0', 'darwin', 1, 'EN10MB'],
    ['\\Device\\NPF_Loopback', 'win32', 1, 'EN10MB'],
  ];
  for (const [device, platform, number, name] of cases) {
    it(`${device} on ${platform} → ${name}`, () => {
      const lt = linkTypeOf(device, sys, platform);
      assert.deepEqual([lt.number, lt.name], [number, name]);
    });
  }

  it('prints one dlt sentence Wireshark accepts', () => {
    for (const lt of [LINK_ETHERNET, LINK_LINUX_SLL]) {
      const check = checkExtcapOutput(text(dltSentences(lt)));
      assert.deepEqual(check.problems, []);
      assert.equal(check.sentences.length, 1);
      assert.equal(check.sentences[0]?.params.get('number'), String(lt.number));
    }
  });
});

describe('interface names and TShark preference names', () => {
  const cases: [string, string, string][] = [
    ['lo', 'ftpflow-lo', 'extcap.ftpflow_lo.controlports'],
    ['any', 'ftpflow-any', 'extcap.ftpflow_any.controlports'],
    ['eth0.100', 'ftpflow-eth0.100', 'extcap.ftpflow_eth0_100.controlports'],
    ['Wi-Fi', 'ftpflow-Wi-Fi', 'extcap.ftpflow_wi_fi.controlports'],
  ];
  for (const [device, iface, pref] of cases) {
    it(device, () => {
      assert.equal(interfaceName(device), iface);
      assert.equal(deviceOf(iface), device);
      assert.equal(preferenceName(iface, '--control-ports'), pref);
    });
  }
  it('names that are not ours map to no device', () => {
    assert.equal(deviceOf('lo'), null);
    assert.equal(deviceOf('ftpflow-'), null);
    assert.equal(deviceOf('randpkt'), null);
  });
  it('--log-level becomes loglevel', () => {
    assert.equal(preferenceName('ftpflow-lo', '--log-level'), 'extcap.ftpflow_lo.loglevel');
  });
});
