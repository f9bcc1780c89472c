import { Token, Tokenization } from 'aws-cdk-lib';
import { Hyperparameters, checkHyperparameters, toHyperparameterMap } from '../../lambda/shared/hyperparameter-spec';

/**
 * Checks every field against the algorithm's types and ranges and returns one message per problem, naming the
 * field, the value received and what is allowed. Unresolved tokens are skipped. An empty list means valid.
 *
 * @param path how the messages name the object, for example `hyperparameters` or `training.hyperparameters`
 */
export function validateHyperparameters(hyperparameters: Hyperparameters, path = 'hyperparameters'): string[] {
  return checkHyperparameters(hyperparameters, path, Token.isUnresolved);
}

/**
 * Renders hyperparameters to the string map CreateTrainingJob sends: snake_case keys, every algorithm
 * hyperparameter present (absent fields take the algorithm's default), booleans as `"True"`/`"False"`, numbers the
 * way the SageMaker Python SDK writes them (`"5"`, `"0.001"`, `"1e-07"`, `"0.0"`). Tokens pass through.
 *
 * @throws if any field is invalid, with every problem in one message.
 */
export function renderHyperparameters(hyperparameters: Hyperparameters = {}, path = 'hyperparameters'): Record<string, string> {
  return toHyperparameterMap(stringifyNumberTokens(hyperparameters), path, Token.isUnresolved);
}

/** A number token would resolve to a JSON number; SageMaker takes every hyperparameter as a string. */
function stringifyNumberTokens(hyperparameters: Hyperparameters): Hyperparameters {
  if (typeof hyperparameters !== 'object' || hyperparameters === null || Array.isArray(hyperparameters)) return hyperparameters;
  return Object.fromEntries(Object.entries(hyperparameters).map(([key, value]) =>
    [key, typeof value === 'number' && Token.isUnresolved(value) ? Tokenization.stringifyNumber(value) : value])) as Hyperparameters;
}
