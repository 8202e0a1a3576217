/** An endpoint announced on the control channel. `ip` is in canonical text (core/ip.ts): dotted IPv4, RFC 5952 IPv6. */
export interface HostPort {
  ip: string;
  port: number;
}
