import { PipelineFixture, pipelineFixture } from './fixture';
import { runPipeline } from '../support/pipeline-world';
import { championParameterName } from '../../lambda/shared/cleanup-contract';

/**
 * The champion record belongs to the pipeline alone: no template creates or writes it, so no deploy (a changed
 * template, a moved construct, a changed prop) can reset it. Every state that reads or writes it names the same
 * pipeline-owned parameter, whatever the stack's version; the first run finds none and creates it at promotion.
 */
type State = { Type: string; Resource?: string; Parameters?: Record<string, unknown>; ItemProcessor?: { States: Record<string, State> }; Iterator?: { States: Record<string, State> } };

/** Every Task state that calls SSM, with its API and the parameter it names, Map item processors included. */
function ssmTasks(states: Record<string, State>): Array<{ state: string; api: string; name: unknown }> {
  return Object.entries(states).flatMap(([id, state]) => [
    ...(state.Type === 'Task' && state.Resource?.includes(':aws-sdk:ssm:') ? [{ state: id, api: state.Resource.split(':').pop()!, name: state.Parameters?.Name }] : []),
    ...ssmTasks((state.ItemProcessor ?? state.Iterator)?.States ?? {}),
  ]);
}

function ssmStatements(fixture: PipelineFixture): Array<{ actions: string[]; resources: unknown[] }> {
  return Object.values(fixture.template.findResources('AWS::IAM::Policy')).flatMap((policy) =>
    (policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>)
      .map((s) => ({ actions: [s.Action].flat(), resources: [s.Resource].flat() }))
      .filter((s) => s.actions.some((a) => a.startsWith('ssm:'))));
}

describe('the champion record', () => {
  // Two deploys of the same classifier, the second with other pipeline settings (test/lifecycle/classifier-move.test.ts
  // moves it in the construct tree).
  const versions = [
    pipelineFixture(),
    pipelineFixture({ minimumAccuracy: 0.9, keepVersions: 5, notificationEmail: 'owner@example.com' }),
  ];
  const expectedName = championParameterName(versions[0].endpoint.endpointName);

  test.each(versions.map((fixture, index) => [index + 1, fixture] as const))('is no resource of the template (version %i): no deploy can write it', (_version, fixture) => {
    expect(fixture.template.findResources('AWS::SSM::Parameter')).toEqual({});
    // Only the state machine (which writes it at run time) and IAM policies (which allow that) name the record.
    const naming = Object.entries(fixture.template.toJSON().Resources as Record<string, { Type: string }>)
      .filter(([, resource]) => JSON.stringify(resource).includes(expectedName)).map(([, resource]) => resource.Type);
    expect(new Set(naming)).toEqual(new Set(['AWS::StepFunctions::StateMachine', 'AWS::IAM::Policy']));
  });

  test('every read and write of every version goes to the one parameter the pipeline owns', () => {
    for (const fixture of versions) {
      const tasks = ssmTasks(fixture.definition.States as Record<string, State>);
      expect(tasks.map((t) => `${t.state}:${t.api}`).sort()).toEqual(
        ['ClearChampion:putParameter', 'ReadChampion:getParameter', 'ReconcileChampion:putParameter', 'RecordChampion:putParameter',
          'RecordChampionScores:putParameter']);
      expect(new Set(tasks.map((t) => t.name))).toEqual(new Set([expectedName]));
      expect(fixture.pipeline.championParameter.parameterName).toBe(expectedName);
      // The state machine may read and write exactly that parameter; nothing else in the stack may write it.
      const statements = ssmStatements(fixture);
      expect(statements.flatMap((s) => s.actions).sort()).toEqual(['ssm:GetParameter', 'ssm:PutParameter']);
      expect(JSON.stringify(fixture.stack.resolve(statements.flatMap((s) => s.resources)))).toContain(`:parameter${expectedName}"`);
    }
  });

  test('a first run finds no record, counts that as no champion, and creates the record when it promotes', async () => {
    const fixture = versions[0];
    const result = await runPipeline(fixture.definition, {}, fixture.endpoint);
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toEqual(expect.arrayContaining(['ReadChampion', 'NoChampionYet', 'EvaluateModel', 'RecordChampion']));
    expect(result.world.calls.find((c) => c.state === 'ReadChampion')?.error).toBe('Ssm.ParameterNotFoundException');
    const write = result.world.calls.find((c) => c.state === 'RecordChampion')!.request;
    expect(write).toMatchObject({ Name: expectedName, Overwrite: true, Type: 'String' });
    expect(JSON.parse(String(write.Value))).toMatchObject({ runId: expect.any(String), validationAccuracy: expect.any(Number) });
  });
});
