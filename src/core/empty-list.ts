/** One element that is not a small integer: a slice of it has V8's "any object" element kind. */
const OBJECT_KIND: readonly unknown[] = [null];

/**
 * A new empty array, for a field of an object built on a hot path, that will hold objects or strings.
 *
 * Not an `[]` literal: V8 ties a literal's element kind to its allocation site, and compiled code that
 * inlined the allocation depends on that kind; the first object stored into any array from the site
 * (often long after start-up: the first out-of-order segment, the first pipelined command) deoptimises
 * every such function at once. Nor `Array.of()`: each array would start with small-integer elements and
 * change kind on its first push, deoptimising code that had only seen the first kind. A slice has no
 * allocation site and keeps the source's kind. (test/unit/core/stable-shapes.test.ts checks both.)
 */
export function emptyList<T>(): T[] {
  return OBJECT_KIND.slice(0, 0) as T[];
}
