/**
 * Comma-separated decimal numbers, the way RFC 959 (PORT, 227) and RFC 1639 (LPRT, 228) spell endpoints.
 * Values are returned unchecked (a 20-digit token is just a large number); the caller checks ranges, so a
 * value over 255 is rejected rather than masked.
 */

const LIST = /^[ \t]*[0-9]+(?:[ \t]*,[ \t]*[0-9]+)*[ \t]*$/;
/** A maximal run: spaces or tabs may sit around the commas, but a run never crosses a line. */
const RUN = /[0-9]+(?:[ \t]*,[ \t]*[0-9]+)*/g;

function toNumbers(run: string): number[] {
  return run.split(',').map((part) => Number(part.trim()));
}

/** The whole text as `n,n,…,n` (spaces allowed around each number), or null. */
export function parseNumberList(text: string): number[] | null {
  return LIST.test(text) ? toNumbers(text) : null;
}

/** Every maximal run of comma-separated numbers in free text, in order; a lone number is a run of one. */
export function findNumberRuns(text: string): number[][] {
  const runs: number[][] = [];
  for (const match of text.matchAll(RUN)) runs.push(toNumbers(match[0]));
  return runs;
}
