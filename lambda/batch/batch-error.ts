import { BatchErrorName } from '../shared/batch-contract';

type Name = typeof BatchErrorName[keyof typeof BatchErrorName];

/**
 * An error the state machine can tell apart: its name (one of BatchErrorName) is the error type Step Functions
 * matches in Catch, and its message says what is wrong and how to fix it.
 */
export class BatchError extends Error {
  public constructor(name: Name, message: string) {
    super(message);
    this.name = name;
  }
}
