/**
 * The devices a live capture can open, for `--extcap-interfaces` and friends. Wireshark runs that at
 * every start and waits for it, so this never loads the cap binding: on Linux it reads
 * /sys/class/net (plus libpcap's `any`); elsewhere it asks `dumpcap -D`.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface CaptureDevice {
  name: string;
  /** Short human text ('Loopback', 'Ethernet', ...); '' when nothing is known. */
  description: string;
}

export interface DeviceListOptions {
  platform?: NodeJS.Platform;
  /** Where Linux lists network devices (a test may point elsewhere). */
  sysClassNet?: string;
  dumpcapPath?: string;
}

const ANY_DEVICE: CaptureDevice = { name: 'any', description: 'Pseudo-device that captures on all interfaces' };
const DUMPCAP_TIMEOUT_MS = 5000;

/** Lists capturable devices; an empty list when none can be found (never throws). */
export function listDevices(opts: DeviceListOptions = {}): CaptureDevice[] {
  if ((opts.platform ?? process.platform) === 'linux') {
    const fromSys = listLinuxDevices(opts.sysClassNet ?? '/sys/class/net');
    if (fromSys !== null) return fromSys;
  }
  return listWithDumpcap(opts.dumpcapPath ?? process.env['FTPFLOW_DUMPCAP'] ?? 'dumpcap');
}

/** Devices under /sys/class/net in ifindex order, then `any`; null when the folder cannot be read. */
export function listLinuxDevices(sysClassNet: string): CaptureDevice[] | null {
  let names: string[];
  try {
    names = fs.readdirSync(sysClassNet);
  } catch {
    return null;
  }
  const devices = names.map((name) => {
    const dir = path.join(sysClassNet, name);
    const index = Number.parseInt(readSmall(path.join(dir, 'ifindex')) ?? '', 10);
    return { name, description: describeLinuxDevice(dir), index: Number.isNaN(index) ? Infinity : index };
  });
  devices.sort((a, b) => a.index - b.index || a.name.localeCompare(b.name));
  return [...devices.map(({ name, description }) => ({ name, description })), ANY_DEVICE];
}

/** What kind of device sysfs says this is (ARPHRD type, DEVTYPE). */
function describeLinuxDevice(dir: string): string {
  const type = readSmall(path.join(dir, 'type'));
  if (type === '772') return 'Loopback';
  const devtype = /^DEVTYPE=(.*)$/m.exec(readSmall(path.join(dir, 'uevent')) ?? '')?.[1];
  if (devtype === 'wlan' || fs.existsSync(path.join(dir, 'wireless'))) return 'Wi-Fi';
  if (devtype === 'bridge') return 'Bridge';
  if (devtype === 'vlan') return 'VLAN';
  if (devtype) return devtype;
  if (type === '1') return 'Ethernet';
  if (type === '65534') return 'Tunnel';
  return '';
}

function readSmall(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return null;
  }
}

function listWithDumpcap(dumpcap: string): CaptureDevice[] {
  const r = spawnSync(dumpcap, ['-D'], { encoding: 'utf8', timeout: DUMPCAP_TIMEOUT_MS, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error || r.status !== 0 || typeof r.stdout !== 'string') return [];
  return parseDumpcapDeviceList(r.stdout);
}

/** Parses `dumpcap -D`: lines like `1. en0 (Wi-Fi)`, `3. lo (Loopback)`, `2. \Device\NPF_{…} (Ethernet)`. */
export function parseDumpcapDeviceList(text: string): CaptureDevice[] {
  const devices: CaptureDevice[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*\d+\.\s+(\S+)(?:\s+\((.*)\))?\s*$/.exec(line);
    if (m) devices.push({ name: m[1]!, description: m[2] ?? '' });
  }
  return devices;
}
