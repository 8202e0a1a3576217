import { FatalError } from '../core/errors';
import { deviceOf, INTERFACE_PREFIX } from './interface-name';
import { defaultOptions, OPTION_SPECS, parseBooleanWord, type ExtcapOptions, type OptionSpec } from './options';

/**
 * The extcap command line, as Wireshark calls it (anchors §1.1): values come as separate argv items
 * (`--extcap-interface ftpflow-lo`), except `--extcap-version=4.0`; getopt-style `--opt=value` is accepted too.
 */

/**
 * What the call asks for. `filter-check` is the GUI's capture-filter validation (a filter, no `--capture`);
 * `extcap-version` is a bare `--extcap-version`; `help`/`version` are for people running the launcher by hand.
 */
export type ExtcapVerb =
  | 'interfaces'
  | 'dlts'
  | 'config'
  | 'filter-check'
  | 'capture'
  | 'extcap-version'
  | 'help'
  | 'version';

export interface ExtcapArgs {
  verb: ExtcapVerb;
  /** `--extcap-version=X`: the Wireshark version calling us (only on `--extcap-interfaces`). */
  wiresharkVersion: string | null;
  /** `--extcap-interface`, e.g. `ftpflow-lo`. */
  iface: string | null;
  /** The capture device behind `iface`, e.g. `lo`. */
  device: string | null;
  captureFilter: string | null;
  reloadOption: string | null;
  fifo: string | null;
  controlIn: string | null;
  controlOut: string | null;
  options: ExtcapOptions;
}

/** A `--capture` call: interface and FIFO are known. */
export type CaptureArgs = ExtcapArgs & { verb: 'capture'; iface: string; device: string; fifo: string };

/** Wireshark's own options that carry a value. */
const VALUE_OPTIONS = {
  '--extcap-interface': 'iface',
  '--extcap-capture-filter': 'captureFilter',
  '--extcap-reload-option': 'reloadOption',
  '--fifo': 'fifo',
  '--extcap-control-in': 'controlIn',
  '--extcap-control-out': 'controlOut',
} as const satisfies Record<string, keyof ExtcapArgs>;

type ValueOption = keyof typeof VALUE_OPTIONS;

/** Options that select a verb, with the verb. */
const VERB_FLAGS: Readonly<Record<string, ExtcapVerb>> = {
  '--extcap-interfaces': 'interfaces',
  '--extcap-dlts': 'dlts',
  '--extcap-config': 'config',
  '--capture': 'capture',
  '--help': 'help',
  '--version': 'version',
};

const OUR_OPTIONS: ReadonlyMap<string, OptionSpec> = new Map(OPTION_SPECS.map((s) => [s.call, s]));

function argsError(message: string): FatalError {
  return new FatalError('E_ARGS', message);
}

function isValueOption(name: string): name is ValueOption {
  return Object.prototype.hasOwnProperty.call(VALUE_OPTIONS, name);
}

/** Parses an extcap argv (without node and script). Bad input is returned as a FatalError('E_ARGS'), never thrown. */
export function parseExtcapArgs(argv: readonly string[]): ExtcapArgs | FatalError {
  const args: ExtcapArgs = {
    verb: 'help',
    wiresharkVersion: null,
    iface: null,
    device: null,
    captureFilter: null,
    reloadOption: null,
    fifo: null,
    controlIn: null,
    controlOut: null,
    options: defaultOptions(),
  };
  const verbs = new Set<ExtcapVerb>();
  let sawExtcapVersion = false;

  for (let i = 0; i < argv.length; i++) {
    const item = argv[i] as string;
    if (!item.startsWith('--') || item === '--') return argsError(`unexpected argument "${item}"`);
    const eq = item.indexOf('=');
    const name = eq < 0 ? item : item.slice(0, eq);
    const inline = eq < 0 ? null : item.slice(eq + 1);

    // Takes the value from `--opt=value` or from the next argv item.
    const takeValue = (): string | FatalError => {
      if (inline !== null) return inline;
      const next = argv[i + 1];
      if (next === undefined) return argsError(`${name} needs a value`);
      i++;
      return next;
    };

    if (name === '--extcap-version') {
      // getopt optional_argument: the value only ever comes attached (`--extcap-version=4.0`).
      args.wiresharkVersion = inline;
      sawExtcapVersion = true;
      continue;
    }
    const verb = VERB_FLAGS[name];
    if (verb !== undefined) {
      if (inline !== null) return argsError(`${name} takes no value`);
      verbs.add(verb);
      continue;
    }
    if (isValueOption(name)) {
      const value = takeValue();
      if (value instanceof FatalError) return value;
      args[VALUE_OPTIONS[name]] = value;
      continue;
    }
    const opt = OUR_OPTIONS.get(name);
    if (opt === undefined) return argsError(`unknown option ${name}`);

    let text: string;
    if (opt.form === 'value') {
      const value = takeValue();
      if (value instanceof FatalError) return value;
      text = value;
    } else if (inline !== null) {
      text = inline;
    } else if (opt.form === 'bool' && argv[i + 1] !== undefined && parseBooleanWord(argv[i + 1] as string) !== null) {
      // `--promiscuous true`: Wireshark's boolean args always come with a separate true/false.
      text = argv[++i] as string;
    } else {
      text = 'true'; // boolflag, or a bare boolean
    }
    const why = opt.apply(args.options, text);
    if (why !== null) return argsError(`${name}: ${why}`);
  }

  if (verbs.size === 0 && sawExtcapVersion) verbs.add('extcap-version');
  return finish(args, verbs);
}

/** Chooses the verb and checks that what it needs is there. */
function finish(args: ExtcapArgs, verbs: Set<ExtcapVerb>): ExtcapArgs | FatalError {
  if (verbs.size === 0 && args.captureFilter !== null) verbs.add('filter-check');
  if (verbs.size > 1) return argsError(`choose one of ${[...verbs].map(verbOption).join(', ')}`);
  args.verb = verbs.values().next().value ?? 'help';

  if (args.iface !== null) {
    args.device = deviceOf(args.iface);
    if (args.device === null) {
      return argsError(`unknown interface "${args.iface}" (ftpflow interfaces are named ${INTERFACE_PREFIX}<device>)`);
    }
  }
  const needsInterface = args.verb === 'dlts' || args.verb === 'config' || args.verb === 'capture' || args.verb === 'filter-check';
  if (needsInterface && args.iface === null) return argsError(`${verbOption(args.verb)} needs --extcap-interface`);
  if (args.verb === 'capture' && args.fifo === null) return argsError('--capture needs --fifo');
  return args;
}

function verbOption(verb: ExtcapVerb): string {
  if (verb === 'filter-check') return '--extcap-capture-filter';
  return Object.keys(VERB_FLAGS).find((k) => VERB_FLAGS[k] === verb) ?? verb;
}

export function isCaptureArgs(args: ExtcapArgs): args is CaptureArgs {
  return args.verb === 'capture' && args.iface !== null && args.device !== null && args.fifo !== null;
}

/**
 * The `--fifo` path of an argv that may not parse: a capture that fails on its arguments must still open
 * and close the FIFO, or TShark waits for it forever (anchors §1.5).
 */
export function findFifoArg(argv: readonly string[]): string | null {
  for (let i = 0; i < argv.length; i++) {
    const item = argv[i] as string;
    if (item === '--fifo') return argv[i + 1] ?? null;
    if (item.startsWith('--fifo=')) return item.slice('--fifo='.length);
  }
  return null;
}
