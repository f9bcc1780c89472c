/**
 * Binary mode end to end: the real handler (BINARY_MODE=true, as InferenceFunction sets it for a model trained with
 * `binaryMode: true`) with the real AWS SDK against the loopback SageMaker runtime emulator answering as a
 * binary-mode model does (one probability, of the second label).
 */
import * as fc from 'fast-check';
import { stubBinaryProbability } from '../emulators/sagemaker-runtime-emulator';
import { asHttp, httpEvent, lambdaContext, LANDSCAPE, useHandlerTestBed } from './handler-fixtures';

const ENDPOINT = 'cats-or-dogs';
/** The algorithm's order of the two classes (alphabetical folder names). */
const LABELS = ['cat', 'dog'] as const;

const bed = useHandlerTestBed({ ENDPOINT_NAME: ENDPOINT, IMAGE_SIZE: '224', BINARY_MODE: 'true', READABLE_BUCKETS: 'photos' },
  (s3) => s3.putObject('photos', 'pet.jpg', LANDSCAPE, 'image/jpeg'), LABELS);

async function classify(query?: Record<string, string>) {
  return asHttp(await bed.handler(httpEvent({ body: LANDSCAPE, contentType: 'image/jpeg', query }), lambdaContext()));
}

describe('a binary-mode model', () => {
  test('both labels come back with p and 1 - p, topK respected, the second predicted only above 0.5 (generated p incl. 0, 0.5, 1)', async () => {
    const p = fc.oneof(fc.constantFrom(0, 0.5, 1, 0.5 - Number.EPSILON / 4, 0.5 + Number.EPSILON / 2), fc.double({ min: 0, max: 1, noNaN: true }));
    await fc.assert(fc.asyncProperty(p, fc.constantFrom(undefined, 1, 2, 5), fc.boolean(), async (probability, topK, scalar) => {
      bed.sageMaker.behaviour = { kind: 'binary', probability, scalar };
      const response = await classify(topK === undefined ? undefined : { topK: String(topK) });
      expect(response.statusCode).toBe(200);
      const predicted = probability > 0.5 ? 'dog' : 'cat';
      const both = [{ label: 'cat', probability: 1 - probability }, { label: 'dog', probability }]
        .sort((a, b) => b.probability - a.probability || LABELS.indexOf(a.label as 'cat') - LABELS.indexOf(b.label as 'cat'));
      expect(response.json.predictedLabel).toBe(predicted);
      expect(response.json.predictions).toEqual(both.slice(0, topK ?? 5));
      expect(response.json.predictions[0].label).toBe(predicted);
    }), { numRuns: 30 });
  });

  test('an S3 image by direct invocation: the stub model\'s probability for the bytes it received', async () => {
    bed.sageMaker.behaviour = { kind: 'binary' };
    const result = await bed.handler({ s3Uri: 's3://photos/pet.jpg' }, lambdaContext()) as { predictions: unknown; predictedLabel: string };
    const p = stubBinaryProbability(bed.sageMaker.invocations[0].body);
    expect(result.predictedLabel).toBe(p > 0.5 ? 'dog' : 'cat');
    expect(result.predictions).toEqual(expect.arrayContaining([{ label: 'cat', probability: 1 - p }, { label: 'dog', probability: p }]));
  });

  test.each([
    ['NaN', '{"probabilities": [NaN], "labels": ["cat", "dog"], "predicted_label": "cat"}'],
    ['a string', '{"probabilities": ["0.9"], "labels": ["cat", "dog"], "predicted_label": "cat"}'],
    ['above 1', '{"probabilities": [1.01], "labels": ["cat", "dog"], "predicted_label": "cat"}'],
    ['below 0', '{"probabilities": -0.2, "labels": ["cat", "dog"], "predicted_label": "cat"}'],
    ['null', '{"probabilities": [null], "labels": ["cat", "dog"], "predicted_label": "cat"}'],
    ['without labels', '{"probabilities": [0.3]}'],
  ])('a malformed binary answer (%s) → 502 MALFORMED_ENDPOINT_RESPONSE', async (_name, body) => {
    bed.sageMaker.behaviour = { kind: 'malformed', body };
    const response = await classify();
    expect(response.statusCode).toBe(502);
    expect(response.json.error.code).toBe('MALFORMED_ENDPOINT_RESPONSE');
  });
});
