/** Fatal error codes: each maps to one line on stderr and a non-zero exit (see cli/). */
export type FatalCode =
  | 'E_ARGS'            // bad command-line or extcap arguments
  | 'E_INPUT'           // input file unreadable, not a capture, or truncated
  | 'E_OUTPUT'          // output cannot be written
  | 'E_DEVICE_OPEN'     // libpcap could not open the device (permission, unknown device)
  | 'E_FILTER'          // capture filter does not compile
  | 'E_FIFO_OPEN'       // the extcap FIFO could not be opened
  | 'E_SIDECAR';        // sidecar socket problems that stop the daemon

/** A typed fatal error: the message is the one line a user sees. */
export class FatalError extends Error {
  constructor(readonly code: FatalCode, message: string) {
    super(message);
    this.name = 'FatalError';
  }
}
