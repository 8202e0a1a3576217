/** The OS's reason in a Node error ("no such file or directory"), without Node's "ENOENT: ..., open 'x'" framing. */
export function osErrorReason(err: unknown): string {
  if (err instanceof Error) {
    // Node formats system errors as "CODE: description, syscall 'path'".
    const m = /^[A-Z0-9_]+: ([^,]+)/.exec(err.message);
    if (m) return m[1]!;
    return err.message;
  }
  return String(err);
}
