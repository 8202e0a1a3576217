/**
 * Two network namespaces joined by a veth pair, made by the caller and removed by it (needs root): the
 * live e2e test puts FTP servers in one and clients plus the capture in the other, the live benchmark
 * replays frames from one into the other. Names carry the caller's PID, so concurrent runs do not meet;
 * a namespace that exists already is never taken over.
 *
 * Cleanup is a trap: `remove()` runs on process exit and on SIGINT/SIGTERM too, stops the processes still
 * inside the two namespaces (only ours can be there: we created them) and deletes the namespaces.
 */
import { execFileSync, spawnSync } from 'node:child_process';

export interface NsEnd {
  ns: string;
  ifname: string;
  mac: string;
  ipv4: string;
  ipv6: string;
}

export interface NetnsPair {
  server: NsEnd;
  client: NsEnd;
  /** Idempotent; never throws. */
  remove(): void;
}

export interface NetnsPairOptions {
  /** Short word in the names (letters only, ≤ 4 chars: interface names have 15 at most). */
  tag: string;
  /** Second octet of 10.N.0.0/24 and the fd00:N:: prefix (each pair is its own world; this only reads well). */
  subnet: number;
  /** Cap on MTU-sized segments (gso_max_segs 1), as a real NIC puts them on the wire. Default true. */
  noGso?: boolean;
  /** Turn IPv6 off on the veth (no neighbour or MLD chatter in a benchmark). Default false. */
  noIpv6?: boolean;
}

/** argv that runs `cmd args` inside namespace `ns` (ip netns exec execs in place: the PID is the command's). */
export function inNs(ns: string, cmd: string, args: readonly string[]): [string, string[]] {
  return ['ip', ['netns', 'exec', ns, cmd, ...args]];
}

function ip(args: readonly string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
}

function namespaceExists(ns: string): boolean {
  const r = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8', timeout: 10_000 });
  return (r.stdout ?? '').split('\n').some((l) => l.split(' ')[0] === ns);
}

/** PIDs of the processes inside `ns`. */
export function pidsInNs(ns: string): number[] {
  const r = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8', timeout: 10_000 });
  return (r.stdout ?? '').split('\n').filter((l) => /^\d+$/.test(l)).map(Number);
}

export function createNetnsPair(o: NetnsPairOptions): NetnsPair {
  if (!/^[a-z]{1,4}$/.test(o.tag)) throw new Error(`bad tag "${o.tag}"`);
  const id = process.pid;
  const hex = o.subnet.toString(16).padStart(2, '0');
  const end = (side: 's' | 'c', host: number): NsEnd => ({
    ns: `ftpflow-${o.tag}-${side}-${id}`,
    ifname: `${o.tag}${id}${side}`,
    mac: `02:00:0a:${hex}:00:0${host}`,
    ipv4: `10.${o.subnet}.0.${host}`,
    ipv6: `fd00:${o.subnet}::${host}`,
  });
  const server = end('s', 1);
  const client = end('c', 2);
  for (const e of [server, client]) {
    if (namespaceExists(e.ns)) throw new Error(`namespace ${e.ns} exists already (a crashed run? ip netns del ${e.ns})`);
  }

  let removed = false;
  const onSignal = (): void => {
    remove();
    process.exit(130);
  };
  const remove = (): void => {
    if (removed) return;
    removed = true;
    process.off('exit', remove);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    for (const e of [server, client]) {
      for (const pid of pidsInNs(e.ns)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch { /* gone already */ }
      }
    }
    for (const e of [server, client]) spawnSync('ip', ['netns', 'del', e.ns], { stdio: 'ignore', timeout: 10_000 });
  };
  process.on('exit', remove);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    ip(['netns', 'add', server.ns]);
    ip(['netns', 'add', client.ns]);
    ip(['link', 'add', server.ifname, 'netns', server.ns, 'address', server.mac, 'type', 'veth',
      'peer', 'name', client.ifname, 'netns', client.ns, 'address', client.mac]);
    for (const [me, peer] of [[server, client], [client, server]] as const) {
      ip(['-n', me.ns, 'link', 'set', 'lo', 'up']);
      if (o.noGso !== false) ip(['-n', me.ns, 'link', 'set', me.ifname, 'gso_max_segs', '1']);
      if (o.noIpv6) {
        execFileSync('ip', ['netns', 'exec', me.ns, 'sysctl', '-q', '-w', `net.ipv6.conf.${me.ifname}.disable_ipv6=1`],
          { stdio: 'ignore', timeout: 10_000 });
      }
      ip(['-n', me.ns, 'addr', 'add', `${me.ipv4}/24`, 'dev', me.ifname]);
      if (!o.noIpv6) ip(['-n', me.ns, 'addr', 'add', `${me.ipv6}/64`, 'dev', me.ifname, 'nodad']);
      ip(['-n', me.ns, 'link', 'set', me.ifname, 'up']);
      // Static neighbours: no ARP/ND round trip before the first SYN.
      ip(['-n', me.ns, 'neigh', 'replace', peer.ipv4, 'lladdr', peer.mac, 'dev', me.ifname, 'nud', 'permanent']);
      if (!o.noIpv6) ip(['-n', me.ns, 'neigh', 'replace', peer.ipv6, 'lladdr', peer.mac, 'dev', me.ifname, 'nud', 'permanent']);
    }
  } catch (e) {
    remove();
    throw e;
  }
  return { server, client, remove };
}
