import { sentence, type SentenceParam } from './grammar';
import { interfaceName } from './interface-name';
import type { LinkType } from './link-type';
import { OPTION_SPECS } from './options';
import type { PackageInfo } from '../core/package-info';

/**
 * The answers to Wireshark's discovery verbs, as sentence lines. Pure: the caller supplies the device list,
 * link types and package info, so these run in microseconds and are tested without a machine's devices.
 * Nothing here may load `cap` or protobufjs: Wireshark waits for these calls at every start.
 */

export interface DeviceInfo {
  name: string;
  description: string;
}

/** The `extcap` sentence: version (shown in About → Plugins) and help link. Alone, it answers `--extcap-version`. */
export function extcapSentence(info: PackageInfo): string {
  return sentence('extcap', [
    ['version', info.version],
    ['help', info.help ?? undefined],
    ['display', 'ftpflow: FTP data connections tied to their control sessions'],
  ]);
}

/** `--extcap-interfaces`: the extcap sentence, then one interface per device (plus `any` where libpcap has it). */
export function interfaceSentences(devices: readonly DeviceInfo[], info: PackageInfo, platform = process.platform): string[] {
  const lines = [extcapSentence(info)];
  const seen = new Set<string>();
  const all = platform === 'linux' && !devices.some((d) => d.name === 'any')
    ? [...devices, { name: 'any', description: 'all interfaces' }]
    : devices;
  for (const device of all) {
    if (device.name === '' || seen.has(device.name)) continue;
    seen.add(device.name);
    lines.push(sentence('interface', [['value', interfaceName(device.name)], ['display', interfaceDisplay(device)]]));
  }
  return lines;
}

function interfaceDisplay(device: DeviceInfo): string {
  const description = device.description.trim();
  return description === '' || description === device.name
    ? `FTP sessions on ${device.name}`
    : `FTP sessions on ${device.name} (${description})`;
}

/** `--extcap-dlts`: the one link type the device captures with. */
export function dltSentences(linkType: LinkType): string[] {
  return [sentence('dlt', [['number', linkType.number], ['name', linkType.name], ['display', linkType.display]])];
}

/** `--extcap-config`: one `arg` per option (numbered in table order) and the `value` lines of selectors. */
export function configSentences(): string[] {
  const lines: string[] = [];
  OPTION_SPECS.forEach((spec, number) => {
    const ui = spec.ui;
    const params: SentenceParam[] = [
      ['number', number],
      ['call', spec.call],
      ['display', ui.display],
      ['type', ui.type],
      ['default', ui.default],
      ['range', ui.range ? `${ui.range[0]},${ui.range[1]}` : undefined],
      ['validation', ui.validation],
      ['placeholder', ui.placeholder],
      ['mustexist', ui.mustexist],
      ['tooltip', ui.tooltip],
      ['group', ui.group],
    ];
    lines.push(sentence('arg', params));
    for (const v of ui.values ?? []) {
      lines.push(sentence('value', [['arg', number], ['value', v.value], ['display', v.display], ['default', v.default === true ? true : undefined]]));
    }
  });
  return lines;
}
