/**
 * The one reader of the algorithm's answer (lambda/shared/classifier-output.ts) on its own: text or bytes, its
 * error type and the fix it names. Binary mode and the shape checks are swept in binary-mode.test.ts and
 * invoke-endpoint.test.ts through the inference function's wrapper.
 */
import * as fc from 'fast-check';
import { ClassifierOutputError, parseClassifierOutput, predictedProbability, topPredictions } from '../../lambda/shared/classifier-output';

test('text and UTF-8 bytes read alike, labels in any script', () => {
  fc.assert(fc.property(fc.uniqueArray(fc.string({ unit: 'grapheme', minLength: 1 }), { minLength: 1, maxLength: 6 }), fc.nat(), (labels, pick) => {
    const predicted = labels[pick % labels.length];
    const answer = JSON.stringify({ probabilities: labels.map((label) => (label === predicted ? 1 : 0)), labels, predicted_label: predicted });
    const output = parseClassifierOutput(answer);
    expect(parseClassifierOutput(new TextEncoder().encode(answer))).toEqual(output);
    expect(output.predictedLabel).toBe(predicted);
    expect(predictedProbability(output)).toBe(1);
    expect(topPredictions(output, 1)).toEqual([{ label: predicted, probability: 1 }]);
  }));
});

test('an answer that is not JSON is measured in what was given: characters of text, bytes of a body', () => {
  const refusal = (body: string | Uint8Array): Error => {
    try {
      parseClassifierOutput(body);
    } catch (error) {
      return error as Error;
    }
    throw new Error('accepted');
  };
  const text = refusal('é<html>');
  expect(text).toBeInstanceOf(ClassifierOutputError);
  expect(text.name).toBe('ClassifierOutputError'); // what the functions' logs show as the error type
  expect(text.message).toBe('7 characters that are not JSON');
  expect(refusal(new TextEncoder().encode('é<html>')).message).toBe('8 bytes that are not JSON'); // é is two bytes
});

test('a trailing newline (as a file written by Batch Transform may have) is accepted', () => {
  expect(parseClassifierOutput('{"probabilities": [0.2, 0.8], "labels": ["a", "b"], "predicted_label": "b"}\n').predictedLabel).toBe('b');
});

test('errors are ClassifierOutputError, and a binary answer read without binaryMode names the reader\'s fix', () => {
  const binary = '{"probabilities": [0.7], "labels": ["a", "b"], "predicted_label": "a"}';
  expect(() => parseClassifierOutput(binary, { binaryModeFix: 'score it with binaryMode: true' }))
    .toThrow(new ClassifierOutputError('2 labels for 1 probabilities (a model trained with binaryMode: true answers so; score it with binaryMode: true)'));
  expect(() => parseClassifierOutput(binary)).toThrow(/read it with binaryMode: true/);
  expect(parseClassifierOutput(binary, { binaryMode: true })).toEqual({ probabilities: [1 - 0.7, 0.7], labels: ['a', 'b'], predictedLabel: 'b' });
  expect(() => parseClassifierOutput(new Uint8Array([0xff, 0x00]))).toThrow(new ClassifierOutputError('2 bytes that are not JSON'));
});
