import { EvaluationErrorName } from '../shared/evaluation-contract';

type Name = typeof EvaluationErrorName[keyof typeof EvaluationErrorName];

/**
 * An error the state machine can tell apart: its name (one of EvaluationErrorName) is the error type Step Functions
 * matches in Catch and Retry, and its message says what is wrong and how to fix it.
 */
export class EvaluationError extends Error {
  public constructor(name: Name, message: string) {
    super(message);
    this.name = name;
  }
}
