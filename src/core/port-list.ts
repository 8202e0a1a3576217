/**
 * Parses a port list such as `21,2121,2100-2110` (the --control-ports syntax).
 * Returns the set, or an error text naming the bad part.
 */
export function parsePortList(text: string): Set<number> | string {
  const ports = new Set<number>();
  const parts = text.split(',').map((p) => p.trim()).filter((p) => p !== '');
  if (parts.length === 0) return `empty port list "${text}"`;
  for (const part of parts) {
    const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(part);
    if (!m) return `bad port "${part}" in "${text}" (want e.g. 21,2121,2100-2110)`;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (lo < 1 || hi > 65535 || hi < lo) return `bad port range "${part}" (ports are 1-65535)`;
    if (hi - lo > 4096) return `port range "${part}" is too wide (at most 4096 ports)`;
    for (let p = lo; p <= hi; p++) ports.add(p);
  }
  return ports;
}
