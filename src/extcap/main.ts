import { listDevices } from '../capture/device-list';
import { FatalError } from '../core/errors';
import { findFifoArg, isCaptureArgs, parseExtcapArgs, type CaptureArgs, type ExtcapArgs } from './args';
import { configSentences, dltSentences, extcapSentence, interfaceSentences } from './discovery';
import { failCapture } from './fail-capture';
import { linkTypeOf } from './link-type';
import { OPTION_SPECS } from './options';
import { packageInfo } from '../core/package-info';

/**
 * The extcap entry: parse, answer a discovery verb, or hand a capture to `./capture`. The discovery verbs
 * import only fs-level modules (no `cap`, no protobufjs): Wireshark runs them at every start and waits.
 *
 * Exit codes: 0 done; 1 the work failed; 2 bad arguments. Wireshark discards the stdout of a query that exits
 * non-zero, and ignores a capture's exit code (what counts there is the FIFO and the stderr line).
 */

/** What the capture module (written separately) must export. */
export interface CaptureModule {
  runCapture(args: CaptureArgs): Promise<number>;
}

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_ARGS = 2;

function write(text: string): Promise<void> {
  return new Promise((resolve) => process.stdout.write(text, () => resolve()));
}

function writeError(text: string): Promise<void> {
  return new Promise((resolve) => process.stderr.write(text, () => resolve()));
}

const lines = (sentences: readonly string[]): string => sentences.map((s) => `${s}\n`).join('');

export async function runExtcap(argv: string[]): Promise<number> {
  const parsed = parseExtcapArgs(argv);
  if (parsed instanceof FatalError) {
    if (argv.includes('--capture')) {
      await failCapture(findFifoArg(argv), parsed.message);
    } else {
      await writeError(`ftpflow: ${parsed.message}\n`);
    }
    return EXIT_ARGS;
  }
  return dispatch(parsed);
}

async function dispatch(args: ExtcapArgs): Promise<number> {
  switch (args.verb) {
    case 'interfaces':
      await write(lines(interfaceSentences(listDevices(), packageInfo())));
      return EXIT_OK;
    case 'extcap-version':
      await write(lines([extcapSentence(packageInfo())]));
      return EXIT_OK;
    case 'dlts':
      await write(lines(dltSentences(linkTypeOf(args.device ?? ''))));
      return EXIT_OK;
    case 'config':
      // A reload asks for fresh `value` lines of one selector; none of ours reloads, so the answer is empty.
      if (args.reloadOption === null) await write(lines(configSentences()));
      return EXIT_OK;
    case 'filter-check':
      // Empty stdout = "valid". Compiling the filter needs libpcap, too slow for a check run per keystroke;
      // a filter libpcap rejects fails the capture with a clear message instead.
      return EXIT_OK;
    case 'capture':
      return startCapture(args);
    case 'version':
      await write(`ftpflow ${packageInfo().version}\n`);
      return EXIT_OK;
    case 'help':
      await write(usage());
      return EXIT_OK;
  }
}

/** The call site for the live capture. Anything that escapes it still ends with the FIFO opened and closed. */
async function startCapture(args: ExtcapArgs): Promise<number> {
  if (!isCaptureArgs(args)) {
    await failCapture(args.fifo, 'internal error: capture arguments incomplete');
    return EXIT_ARGS;
  }
  let capture: CaptureModule;
  try {
    capture = await import('./capture');
  } catch (err) {
    await failCapture(args.fifo, `cannot load the capture engine: ${(err as Error).message}`);
    return EXIT_FAILED;
  }
  try {
    return await capture.runCapture(args);
  } catch (err) {
    await failCapture(args.fifo, (err as Error).message);
    return EXIT_FAILED;
  }
}

function usage(): string {
  const options = OPTION_SPECS.map((spec) => {
    const takes = spec.form === 'flag' ? '' : spec.form === 'bool' ? ' true|false' : ' VALUE';
    const dflt = spec.ui.default ?? spec.ui.values?.find((v) => v.default)?.value;
    return `  ${(spec.call + takes).padEnd(26)} ${spec.ui.display}${dflt === undefined ? '' : ` (default ${dflt})`}`;
  });
  return [
    'ftpflow extcap: Wireshark runs this; install it with install/install.sh (or install.ps1).',
    '',
    'Wireshark verbs:',
    '  --extcap-interfaces [--extcap-version=X]   list the ftpflow-<device> interfaces',
    '  --extcap-dlts --extcap-interface IF         link type of IF',
    '  --extcap-config --extcap-interface IF       the options below, for the capture dialog',
    '  --capture --extcap-interface IF --fifo PATH [--extcap-capture-filter F] [options]',
    '',
    'Options (TShark sets them as -o extcap.<interface>.<option without dashes>:VALUE):',
    ...options,
    '',
  ].join('\n');
}
