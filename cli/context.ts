/**
 * What every command gets besides its own arguments: the io, the global options, the AWS SDK clients (created once,
 * with the region of --region or the SDK's default chain) and the stack's outputs (read once).
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { Command } from 'commander';
import { CliIo } from './io';
import { StackOutputs, findStack } from './stack';

export interface GlobalOptions {
  /** the CloudFormation stack holding the classifier */
  readonly stack: string;
  /** AWS region; undefined: the SDK's default chain (AWS_REGION, the profile) */
  readonly region?: string;
  /** print stack traces of failures */
  readonly debug: boolean;
}

/** The configuration every AWS SDK v3 client constructor accepts that the command line sets. */
export interface ClientSettings {
  readonly region?: string;
  /** attempts per call, the SDK's standard retry strategy (exponential backoff with jitter) */
  readonly maxAttempts?: number;
}

export interface AwsClient {
  destroy(): void;
}

export interface CommandContext {
  readonly io: CliIo;
  /** the global options (--stack, --region, --debug), as parsed */
  globals(): GlobalOptions;
  /** one client per SDK client class for the whole run, e.g. `context.client(S3Client)` */
  client<T extends AwsClient>(clientClass: new (settings: ClientSettings) => T): T;
  /** the stack's outputs, read with DescribeStacks on first use */
  stack(): Promise<StackOutputs>;
  /** the exit code main() returns when the command ends without throwing; default 0 */
  exitCode: number;
}

/** Attempts per AWS call (the SDK default is 3): uploads of many files meet throttling now and then. */
export const MAX_ATTEMPTS = 5;

export function createContext(io: CliIo, program: Command): CommandContext & { dispose(): void } {
  const clients = new Map<unknown, AwsClient>();
  let stack: Promise<StackOutputs> | undefined;
  const globals = (): GlobalOptions => program.opts<GlobalOptions>();
  const context = {
    io,
    exitCode: 0,
    globals,
    client<T extends AwsClient>(clientClass: new (settings: ClientSettings) => T): T {
      let client = clients.get(clientClass) as T | undefined;
      if (client === undefined) {
        // AWS_MAX_ATTEMPTS, the SDK's own setting, wins when it is set.
        client = new clientClass({ region: globals().region, maxAttempts: io.env.AWS_MAX_ATTEMPTS ? undefined : MAX_ATTEMPTS });
        clients.set(clientClass, client);
      }
      return client;
    },
    stack(): Promise<StackOutputs> {
      stack ??= findStack(context.client(CloudFormationClient), globals().stack);
      return stack;
    },
    dispose(): void {
      for (const client of clients.values()) client.destroy();
      clients.clear();
    },
  };
  return context;
}
