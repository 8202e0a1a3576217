/**
 * String keys for connection tables. Plain concatenation: cheap, and readable in a debugger.
 *
 * The text form is an implementation detail: keys are equal within one run for the same inputs,
 * and nothing may parse them or keep them across runs. Addresses must already be canonical text
 * (as decodeFrame and core/ip.ts produce them); '/' and ' ' never occur in that text, so keys of
 * different endpoints never collide.
 */

/** One side of a connection. */
export function endpointKey(ip: string, port: number): string {
  return ip + '/' + port;
}

/**
 * A connection regardless of direction: connKey(a, aPort, b, bPort) === connKey(b, bPort, a, aPort).
 * The lower endpoint (by address text, then port) comes first.
 */
export function connKey(a: string, aPort: number, b: string, bPort: number): string {
  return a < b || (a === b && aPort <= bPort)
    ? a + '/' + aPort + ' ' + b + '/' + bPort
    : b + '/' + bPort + ' ' + a + '/' + aPort;
}
