/**
 * Uint8Array methods for the per-packet paths, taken from the prototype once and called with `.call`.
 *
 * Why: on the V8 of Node 20, `bytes.subarray(...)` in optimised code still finds the method through a
 * generic property load (a LoadIC call, some 80 instructions) on every call, even at a monomorphic site
 * (`node --print-opt-code` shows the LoadICTrampoline). A method held in a constant is a known call
 * target: no lookup at all. Same behaviour for Buffers: the methods are the ones Buffer inherits.
 */
const subarrayMethod = Uint8Array.prototype.subarray;
const copyWithinMethod = Uint8Array.prototype.copyWithin;
const indexOfMethod = Uint8Array.prototype.indexOf;
const setMethod = Uint8Array.prototype.set;

/** `bytes.subarray(start, end)`: a view of the same memory. */
export function viewOf(bytes: Uint8Array, start: number, end: number): Uint8Array {
  return subarrayMethod.call(bytes, start, end);
}

/** `bytes.copyWithin(target, start, end)`. */
export function copyWithinBytes(bytes: Uint8Array, target: number, start: number, end: number): void {
  copyWithinMethod.call(bytes, target, start, end);
}

/** `target.set(source, at)`: copies all of `source` into `target` from `at`. */
export function setBytes(target: Uint8Array, source: Uint8Array, at: number): void {
  setMethod.call(target, source, at);
}

/** `bytes.indexOf(value, from)`. */
export function indexOfByte(bytes: Uint8Array, value: number, from: number): number {
  return indexOfMethod.call(bytes, value, from);
}
