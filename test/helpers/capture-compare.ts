/**
 * Input vs output, packet by packet: the annotator may only add comments. Same number of frames,
 * in the same order, each with the same bytes, original length, timestamp (ns) and link type, and
 * every comment the input already had (except old `ftpflow ` ones, which are replaced).
 */
import type { CapturedPacket } from './capture-file';

export function compareFrames(input: readonly CapturedPacket[], output: readonly CapturedPacket[], limit = 5): string[] {
  const problems: string[] = [];
  if (input.length !== output.length) problems.push(`frame count: input ${input.length}, output ${output.length}`);
  const n = Math.min(input.length, output.length);
  for (let i = 0; i < n && problems.length < limit; i++) {
    const a = input[i]!, b = output[i]!;
    const f = i + 1;
    if (a.tsNs !== b.tsNs) problems.push(`frame ${f}: timestamp ${a.tsNs} ns became ${b.tsNs} ns`);
    if (a.linkType !== b.linkType) problems.push(`frame ${f}: link type ${a.linkType} became ${b.linkType}`);
    if (a.origLen !== b.origLen) problems.push(`frame ${f}: original length ${a.origLen} became ${b.origLen}`);
    if (Buffer.compare(Buffer.from(a.data), Buffer.from(b.data)) !== 0) problems.push(`frame ${f}: bytes differ (${a.data.length} in, ${b.data.length} out)`);
    for (const c of a.comments) {
      if (c.trim().startsWith('ftpflow ')) continue;
      if (!b.comments.includes(c)) problems.push(`frame ${f}: existing comment ${JSON.stringify(c)} lost`);
    }
  }
  return problems;
}
