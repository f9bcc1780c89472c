/**
 * The evaluation function's actions (index.ts wires the real S3 client): `selectTestSet` chooses the fixed test set
 * and writes its manifests; `score` turns a transform's answers into the evaluation report. The events and results
 * are in lambda/shared/evaluation-contract.ts; errors carry the names of EvaluationErrorName.
 */
import { EvaluationErrorName, EvaluationEvent, ScoreResult, TestSetSelection } from '../shared/evaluation-contract';
import type { ObjectStore } from '../shared/object-store';
import { EvaluationError } from './evaluation-error';
import { scoreModel } from './score';
import { selectTestSet } from './select-test-set';

export function createEvaluationHandler(store: () => ObjectStore): (event: EvaluationEvent) => Promise<TestSetSelection | ScoreResult> {
  return async (event) => {
    const action = typeof event === 'object' && event !== null ? (event as { action?: unknown }).action : undefined;
    switch (action) {
      case 'selectTestSet':
        return selectTestSet(event as Extract<EvaluationEvent, { action: 'selectTestSet' }>, store());
      case 'score':
        return scoreModel(event as Extract<EvaluationEvent, { action: 'score' }>, store());
      default:
        throw new EvaluationError(EvaluationErrorName.INVALID_EVENT, `unknown evaluation action ${JSON.stringify(action)}: use "selectTestSet" or "score"`);
    }
  };
}
