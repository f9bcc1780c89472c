/**
 * The command line, `npx cdk-sagemaker-image-classifier <command>`: builds the argument parser, registers each
 * command (one module per command in cli/commands/, each exporting `register(program, context)`), runs the one
 * asked for, and turns every failure into a message and an exit code (cli/errors.ts), never a stack trace unless
 * --debug.
 *
 * The parser is commander: the most used and best maintained argument parser of the Node.js ecosystem, with nested
 * sub-commands (`dataset check`), generated help, typed option parsing, errors for unknown options and missing
 * arguments, and no dependencies of its own (it is bundled into the package's single CLI file).
 */
import { Command, CommanderError, Option } from 'commander';
import * as dataset from './commands/dataset';
import * as predict from './commands/predict';
import * as report from './commands/report';
import * as runs from './commands/runs';
import * as status from './commands/status';
import * as train from './commands/train';
import { CommandContext, createContext } from './context';
import { CliError, EXIT_CODES, toCliError } from './errors';
import { CliIo } from './io';
import { APP_STACK_NAME } from './stack';

/** The package's name, which is also the command's. */
export const COMMAND_NAME = 'cdk-sagemaker-image-classifier';

/** Every command module, in the order `--help` lists them. Adding a command takes one line here. */
const COMMANDS: ReadonlyArray<(program: Command, context: CommandContext) => void> = [
  dataset.register,
  train.register,
  status.register,
  runs.register,
  predict.register,
  report.register,
];

/** Runs the command line with `argv` (the arguments after the command name) and returns the exit code. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const program = new Command(COMMAND_NAME)
    .description('Check and upload a dataset, retrain, watch and classify with the image classifier stack.')
    .addOption(new Option('--stack <name>', 'the CloudFormation stack holding the classifier').default(APP_STACK_NAME))
    .addOption(new Option('--region <region>', 'AWS region (default: AWS_REGION or your AWS profile\'s region)'))
    .addOption(new Option('--debug', 'print the stack trace of a failure').default(false))
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      getOutHelpWidth: () => io.stdout.columns ?? 100,
      getErrHelpWidth: () => io.stderr.columns ?? 100,
      getOutHasColors: () => false,
      getErrHasColors: () => false,
    });
  const context = createContext(io, program);
  for (const register of COMMANDS) register(program, context);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return context.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed its message (or the help, or the version) on the right stream.
      return error.exitCode === 0 ? 0 : EXIT_CODES.usage;
    }
    const failure = toCliError(error);
    io.stderr.write(`Error: ${failure.message}\n`);
    if (debugRequested(argv)) io.stderr.write(`${stackTrace(failure)}\n`);
    return failure.exitCode;
  } finally {
    context.dispose();
  }
}

/** --debug from the arguments themselves: the parser may have failed before it read the options. */
function debugRequested(argv: readonly string[]): boolean {
  return argv.includes('--debug');
}

function stackTrace(error: CliError): string {
  const cause = error.cause instanceof Error ? error.cause : error;
  return cause.stack ?? String(cause);
}
