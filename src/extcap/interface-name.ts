/**
 * ftpflow's extcap interfaces are named `ftpflow-<device>` (`ftpflow-lo`, `ftpflow-eth0`, `ftpflow-any`):
 * one per capturable device, so Wireshark's interface list shows where each capture listens.
 */

export const INTERFACE_PREFIX = 'ftpflow-';

export function interfaceName(device: string): string {
  return INTERFACE_PREFIX + device;
}

/** The device behind an interface name, or null if the name is not one of ours. */
export function deviceOf(iface: string): string | null {
  if (!iface.startsWith(INTERFACE_PREFIX)) return null;
  const device = iface.slice(INTERFACE_PREFIX.length);
  return device === '' ? null : device;
}

/**
 * The preference prefix TShark uses for this interface's options (`-o extcap.ftpflow_lo.controlports:2121`):
 * the interface name lower-cased with every character outside [A-Za-z0-9_] replaced by `_`
 * (Wireshark 4.0 `extcap_pref_for_argument`).
 */
export function preferencePrefix(iface: string): string {
  return `extcap.${iface.toLowerCase().replace(/[^a-z0-9_]/g, '_')}.`;
}

/** The preference name of one option: the call with every `-` removed (`--control-ports` → `controlports`). */
export function preferenceName(iface: string, call: string): string {
  return preferencePrefix(iface) + call.replace(/-/g, '').toLowerCase();
}
