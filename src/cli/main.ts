#!/usr/bin/env node
import type { Command as CommandType } from 'commander';
import { FatalError } from '../core/errors';
import { packageInfo } from '../core/package-info';

/** Exit codes: 0 done; 1 input/output or runtime failure (one line on stderr); 2 bad arguments. */
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

async function main(argv: string[]): Promise<number> {
  const version = packageInfo().version;
  // The extcap verbs come from Wireshark with their own grammar: hand them over untouched, and load
  // nothing else, so that the discovery calls Wireshark makes at every start stay fast.
  if (argv[2] === 'extcap') {
    const { runExtcap } = await import('../extcap/main');
    return runExtcap(argv.slice(3));
  }
  const { Command, CommanderError, Option } = await import('commander');
  let exitCode = 0;
  const program: CommandType = new Command()
    .name('ftpflow')
    .description('Ties every FTP data connection to its control session, as pcapng packet comments.')
    .version(version)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  program
    .command('annotate')
    .description('annotate a pcap or pcapng file: every packet written in order, FTP ones with an ftpflow comment')
    .argument('<input>', 'capture to read (pcap or pcapng)')
    .requiredOption('-o, --output <file>', 'pcapng file to write')
    .option('--control-ports <list>', 'server ports of FTP control connections, e.g. 21,2121,2100-2110', '21')
    .option('--detect-control', 'also recognise control connections on any port by their greeting or commands')
    .addOption(new Option('--threads <n>', 'threads: 1, 2 (a second one writes the output; input and output must be regular files) or auto (2 from 16 MiB)')
      .choices(['1', '2', 'auto']).default('auto'))
    .addOption(new Option('--json', 'print the summary as JSON on stdout instead of text on stderr'))
    .option('-q, --quiet', 'no summary, no progress')
    .action(async (input: string, opts) => {
      const { runAnnotate } = await import('./annotate-command');
      exitCode = await runAnnotate(input, opts, `ftpflow ${version}`);
    });

  program
    .command('sidecar')
    .description('run the session sidecar in the foreground: watch FTP control sessions on a device, serve them to captures, log every transfer')
    .requiredOption('-i, --interface <device>', 'capture device, e.g. eth0 or any')
    .option('--control-ports <list>', 'server ports of FTP control connections, e.g. 21,2121,2100-2110', '21')
    .option('--detect-control', 'also recognise control connections on any port by their greeting (captures all TCP: costs more)')
    .option('--listen <address>', 'socket path, \\\\.\\pipe\\NAME, or tcp:[HOST:]PORT (default /run/ftpflow/sidecar.sock, or $FTPFLOW_SIDECAR_SOCKET)')
    .option('--log <file>', 'transfer log: one JSON object per line per data connection')
    .option('--socket-mode <mode>', 'permissions of the Unix socket (never world-writable)', '0660')
    .option('--buffer-size <MiB>', 'kernel capture buffer', '4')
    .option('--log-level <level>', 'diagnostics on stderr: message, info or debug', 'message')
    .action(async (opts) => {
      const { runSidecarCommand } = await import('../sidecar/sidecar-command');
      exitCode = await runSidecarCommand(opts);
    });

  program
    .command('sessions')
    .description("print the sidecar's live FTP sessions as a table")
    .option('--sidecar <address>', 'where the sidecar listens (default /run/ftpflow/sidecar.sock, or $FTPFLOW_SIDECAR_SOCKET)')
    .option('--json', 'print the snapshot as JSON instead of a table')
    .action(async (opts) => {
      const { runSessionsCommand } = await import('../sidecar/sessions-command');
      exitCode = await runSessionsCommand(opts);
    });

  program
    .command('extcap')
    .description('the Wireshark extcap interface (Wireshark calls this through extcap/ftpflow)')
    .allowUnknownOption()
    .helpOption(false);

  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? 0 : EXIT_USAGE; // commander already printed its one line
    }
    if (err instanceof FatalError) {
      process.stderr.write(`ftpflow: ${err.message}\n`);
      return err.code === 'E_ARGS' ? EXIT_USAGE : EXIT_FAILURE;
    }
    process.stderr.write(`ftpflow: internal error: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    return EXIT_FAILURE;
  }
}

main(process.argv).then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    process.stderr.write(`ftpflow: internal error: ${String(err)}\n`);
    process.exitCode = EXIT_FAILURE;
  },
);
