import { describe, it, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { listDevices, listLinuxDevices, parseDumpcapDeviceList } from '../../../src/capture/device-list';
import { repoPath } from '../../helpers/paths';

const onLinux = process.platform === 'linux';

describe('listDevices on Linux reads /sys/class/net', { skip: onLinux ? false : 'Linux only' }, () => {
  it('lists what `ip link` lists, in ifindex order, then any', () => {
    const ip = spawnSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' });
    assert.equal(ip.status, 0);
    const names = ip.stdout.trim().split('\n').map((l) => l.split(':')[1]!.trim().replace(/@.*$/, ''));
    const listed = listDevices();
    assert.deepEqual(listed.map((d) => d.name), [...names, 'any']);
    assert.equal(listed.find((d) => d.name === 'lo')?.description, 'Loopback');
    assert.equal(listed.at(-1)?.description, 'Pseudo-device that captures on all interfaces');
  });

  it('every network device it lists is one dumpcap can capture on', () => {
    const dc = spawnSync('dumpcap', ['-D'], { encoding: 'utf8' });
    assert.equal(dc.status, 0);
    const dumpcapNames = new Set(parseDumpcapDeviceList(dc.stdout).map((d) => d.name));
    for (const d of listDevices()) assert.ok(dumpcapNames.has(d.name), `${d.name} not in dumpcap -D`);
  });

  it('never loads the cap binding and answers quickly', () => {
    const script = `
      const t = process.hrtime.bigint();
      const { listDevices } = require(${JSON.stringify(path.join(__dirname, '../../../src/capture/device-list.js'))});
      const n = listDevices().length;
      const ms = Number(process.hrtime.bigint() - t) / 1e6;
      const loaded = Object.keys(require.cache).filter((k) => /[\\\\/]cap[\\\\/]/.test(k));
      process.stdout.write(JSON.stringify({ n, ms, loaded }));`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', cwd: repoPath() });
    assert.equal(r.stderr, '');
    const out = JSON.parse(r.stdout) as { n: number; ms: number; loaded: string[] };
    assert.ok(out.n >= 2);
    assert.deepEqual(out.loaded, []);
    assert.ok(out.ms < 200, `took ${out.ms} ms`);
  });
});

describe('listLinuxDevices describes devices from sysfs attributes', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpflow-sysfs-'));
  after(() => fs.rmSync(root, { recursive: true, force: true }));
  const dev = (name: string, files: Record<string, string>, dirs: string[] = []): void => {
    fs.mkdirSync(path.join(root, name));
    for (const [f, v] of Object.entries(files)) fs.writeFileSync(path.join(root, name, f), v + '\n');
    for (const d of dirs) fs.mkdirSync(path.join(root, name, d));
  };
  dev('wlp2s0', { ifindex: '3', type: '1', uevent: 'DEVTYPE=wlan\nINTERFACE=wlp2s0\nIFINDEX=3' }, ['wireless']);
  dev('lo', { ifindex: '1', type: '772', uevent: 'INTERFACE=lo\nIFINDEX=1' });
  dev('br0', { ifindex: '5', type: '1', uevent: 'DEVTYPE=bridge\nINTERFACE=br0' });
  dev('eth0.100', { ifindex: '6', type: '1', uevent: 'DEVTYPE=vlan\nINTERFACE=eth0.100' });
  dev('enp0s31f6', { ifindex: '2', type: '1', uevent: 'INTERFACE=enp0s31f6\nIFINDEX=2' });
  dev('tun0', { ifindex: '4', type: '65534', uevent: 'DEVTYPE=tun' });
  dev('odd', { type: '999' }); // no ifindex: sorted last

  it('orders by ifindex and names the kind', () => {
    assert.deepEqual(listLinuxDevices(root), [
      { name: 'lo', description: 'Loopback' },
      { name: 'enp0s31f6', description: 'Ethernet' },
      { name: 'wlp2s0', description: 'Wi-Fi' },
      { name: 'tun0', description: 'tun' },
      { name: 'br0', description: 'Bridge' },
      { name: 'eth0.100', description: 'VLAN' },
      { name: 'odd', description: '' },
      { name: 'any', description: 'Pseudo-device that captures on all interfaces' },
    ]);
  });

  it('an unreadable folder is null, and listDevices then asks dumpcap', () => {
    assert.equal(listLinuxDevices(path.join(root, 'missing')), null);
    const viaDumpcap = listDevices({ platform: 'linux', sysClassNet: path.join(root, 'missing') });
    assert.ok(viaDumpcap.some((d) => d.name === 'lo'));
  });
});

describe('dumpcap -D parsing (other platforms)', () => {
  const table: [string, string, { name: string; description: string }[]][] = [
    ['Linux', '1. eth0\n2. any\n3. lo (Loopback)\n4. nflog\n', [
      { name: 'eth0', description: '' }, { name: 'any', description: '' },
      { name: 'lo', description: 'Loopback' }, { name: 'nflog', description: '' },
    ]],
    ['macOS', '1. en0 (Wi-Fi)\n2. lo0 (Loopback)\n3. utun2\n', [
      { name: 'en0', description: 'Wi-Fi' }, { name: 'lo0', description: 'Loopback' }, { name: 'utun2', description: '' },
    ]],
    ['Windows', '1. \\Device\\NPF_{A1B2C3D4-0000-1111-2222-333344445555} (Ethernet 2)\r\n2. \\Device\\NPF_Loopback (Adapter for loopback traffic capture)\r\n', [
      { name: '\\Device\\NPF_{A1B2C3D4-0000-1111-2222-333344445555}', description: 'Ethernet 2' },
      { name: '\\Device\\NPF_Loopback', description: 'Adapter for loopback traffic capture' },
    ]],
    ['noise only', 'dumpcap: There are no interfaces on which a capture can be done\n', []],
    ['empty', '', []],
  ];
  for (const [name, text, want] of table) {
    it(name, () => assert.deepEqual(parseDumpcapDeviceList(text), want));
  }

  it('elsewhere listDevices runs dumpcap -D; a missing dumpcap gives an empty list', () => {
    const real = spawnSync('dumpcap', ['-D'], { encoding: 'utf8' });
    assert.deepEqual(listDevices({ platform: 'darwin' }), parseDumpcapDeviceList(real.stdout));
    assert.deepEqual(listDevices({ platform: 'darwin', dumpcapPath: '/nonexistent/dumpcap' }), []);
  });
});
