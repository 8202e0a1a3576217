/**
 * The filter handed to libpcap: the user's filter OR the control ports, so that a narrow filter can
 * never cut a control session (without it, its data connections could not be tied to anything).
 * With no user filter nothing is filtered: data connections use ports nobody knows in advance.
 */
export function effectiveCaptureFilter(userFilter: string | null, controlPorts: ReadonlySet<number>): string {
  const user = (userFilter ?? '').trim();
  if (user === '') return '';
  // Control ports first: a `vlan` in the user's filter shifts libpcap's offsets for every term after it.
  return `(${controlPortsFilter(controlPorts)}) or (${user})`;
}

/** `tcp port 21 or tcp portrange 2100-2110 …`, ports folded into ranges. */
export function controlPortsFilter(ports: Iterable<number>): string {
  const sorted = [...ports].sort((a, b) => a - b);
  const terms: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] as number) + 1) j++;
    terms.push(i === j ? `tcp port ${sorted[i]}` : `tcp portrange ${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return terms.join(' or ');
}
