import { FatalError } from '../core/errors';
import { parsePortList } from '../core/port-list';
import { annotateFile } from '../pipeline/annotate-file';
import { buildSummary, formatSummary } from './summary';
import { createProgress } from './progress';

export interface AnnotateCliOptions {
  output: string;
  controlPorts: string;
  detectControl?: boolean;
  threads?: string;
  json?: boolean;
  quiet?: boolean;
}

/** `ftpflow annotate IN -o OUT`: returns the exit code (0 ok, 1 the input ended early). */
export async function runAnnotate(input: string, o: AnnotateCliOptions, application: string): Promise<number> {
  const ports = parsePortList(o.controlPorts);
  if (typeof ports === 'string') throw new FatalError('E_ARGS', `--control-ports: ${ports}`);
  const started = process.hrtime.bigint();
  const progress = createProgress(process.stderr, o.quiet === true);
  const result = await annotateFile({
    input,
    output: o.output,
    engine: { controlPorts: ports, detectControl: o.detectControl === true },
    application,
    threads: o.threads === '1' ? 1 : o.threads === '2' ? 2 : 'auto',
    onProgress: progress.update,
  });
  progress.done();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const summary = buildSummary(input, o.output, result, seconds);
  if (o.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else if (!o.quiet) process.stderr.write(`${formatSummary(summary)}\n`);
  if (result.readError !== null) {
    process.stderr.write(`ftpflow: ${result.readError} (the ${result.frames} frames before it were written)\n`);
    return 1;
  }
  return 0;
}
