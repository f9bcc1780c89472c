/**
 * The HTML report, read back with parse5 (the WHATWG HTML parsing algorithm, as browsers parse): the matrix has
 * classes² data cells holding the counts in [true][predicted] order, every misclassified image and failure is listed,
 * user data is escaped (a label `<script>…` stays text), and the page loads nothing and runs nothing.
 */
import * as fc from 'fast-check';
import { parse } from 'parse5';
import { classificationMetrics } from '../../lambda/evaluation/metrics';
import { DIAGONAL_HUE, escapeHtml, OFF_DIAGONAL_HUE, renderReportHtml } from '../../lambda/evaluation/report-html';
import type { EvaluationReport } from '../../lambda/shared/evaluation-report';

interface Element {
  readonly nodeName: string;
  readonly tagName?: string;
  readonly attrs?: ReadonlyArray<{ readonly name: string; readonly value: string }>;
  readonly childNodes?: readonly Element[];
  readonly value?: string;
}

function elements(node: Element, tag: string): Element[] {
  const found: Element[] = [];
  const visit = (current: Element): void => {
    if (current.tagName === tag) found.push(current);
    for (const child of current.childNodes ?? []) visit(child);
    // <template> content is not used by the report
  };
  visit(node);
  return found;
}

function text(node: Element): string {
  if (node.nodeName === '#text') return node.value ?? '';
  return (node.childNodes ?? []).map(text).join('');
}

function attribute(node: Element, name: string): string | undefined {
  return node.attrs?.find((attr) => attr.name === name)?.value;
}

function hasClass(node: Element, name: string): boolean {
  return (attribute(node, 'class') ?? '').split(/\s+/).includes(name);
}

function documentOf(report: EvaluationReport): Element {
  return parse(renderReportHtml(report)) as unknown as Element;
}

/** A report over generated classes and pairs, its figures computed by metrics.ts. */
function reportFrom(classes: string[], pairs: Array<{ trueLabel: string; predictedLabel: string; key: string; probability: number }>,
  failures: Array<{ key: string; reason: string }> = []): EvaluationReport {
  const metrics = classificationMetrics(pairs, classes);
  return {
    schemaVersion: 1,
    runId: '20260101-000000-abcdef01',
    modelName: 'classifier-20260101-000000-abcdef01',
    role: 'challenger',
    testSet: { version: 'ab'.repeat(32), source: 'hold-out', imageCount: pairs.length + failures.length },
    classes,
    ...metrics,
    misclassified: pairs.filter((pair) => pair.trueLabel !== pair.predictedLabel),
    failures,
  };
}

function matrixOf(document: Element): Element {
  const [matrix] = elements(document, 'table').filter((table) => hasClass(table, 'matrix'));
  expect(matrix).toBeDefined();
  return matrix;
}

/** Generated user data: names with markup, quotes, ampersands and non-ASCII characters. */
const userText = fc.oneof(
  fc.string({ minLength: 1, maxLength: 12 }),
  fc.constantFrom('<script>alert(1)</script>', '"quoted"', "it's", 'a&amp;b', '</td></tr></table>', 'rosé 🌹', '<!--', ']]>'),
);

const scenario = fc.uniqueArray(userText, { minLength: 1, maxLength: 7 }).chain((classes) => fc.record({
  classes: fc.constant(classes),
  pairs: fc.array(fc.record({
    trueLabel: fc.constantFrom(...classes),
    predictedLabel: fc.constantFrom(...classes),
    key: userText.map((name) => `dataset/test/${name}.jpg`),
    probability: fc.double({ min: 0, max: 1, noNaN: true }),
  }), { minLength: 1, maxLength: 40 }),
  failures: fc.array(fc.record({ key: userText, reason: userText }), { maxLength: 3 }),
}));

describe('the confusion matrix', () => {
  test('has classes² data cells with the counts, rows and columns headed by the labels in order', () => {
    fc.assert(fc.property(scenario, ({ classes, pairs, failures }) => {
      const report = reportFrom(classes, pairs, failures);
      const matrix = matrixOf(documentOf(report));
      const headRow = elements(elements(matrix, 'thead')[0], 'tr')[0];
      const columnHeads = elements(headRow, 'th').slice(1, 1 + classes.length);
      expect(columnHeads.map(text)).toEqual(classes);
      const rows = elements(elements(matrix, 'tbody')[0], 'tr');
      expect(rows).toHaveLength(classes.length);
      const dataCells = rows.flatMap((row) => elements(row, 'td').filter((cell) => !hasClass(cell, 'total')));
      expect(dataCells).toHaveLength(classes.length ** 2);
      rows.forEach((row, t) => {
        expect(text(elements(row, 'th')[0])).toBe(classes[t]);
        const cells = elements(row, 'td').filter((cell) => !hasClass(cell, 'total'));
        expect(cells.map((cell) => Number(text(cell)))).toEqual(report.confusionMatrix[t]);
      });
    }), { numRuns: 60 });
  });

  test('colours each cell by its share of the row: darker for a larger share, blue on the diagonal, red off it, white when empty', () => {
    const report = reportFrom(['a', 'b', 'c'], [
      ...Array.from({ length: 6 }, (_, i) => ({ trueLabel: 'a', predictedLabel: 'a', key: `a${i}`, probability: 0.9 })),
      { trueLabel: 'a', predictedLabel: 'b', key: 'a8', probability: 0.6 },
      { trueLabel: 'a', predictedLabel: 'c', key: 'a9', probability: 0.6 },
      { trueLabel: 'a', predictedLabel: 'c', key: 'a10', probability: 0.6 },
      { trueLabel: 'c', predictedLabel: 'c', key: 'c1', probability: 0.6 },
    ]);
    const rows = elements(elements(matrixOf(documentOf(report)), 'tbody')[0], 'tr').map((row) => elements(row, 'td').filter((cell) => !hasClass(cell, 'total')));
    const colour = (cell: Element) => /hsl\((\d+),\d+%,(\d+)%\)/.exec(attribute(cell, 'style')!);
    const lightness = (cell: Element) => Number(colour(cell)![2]);
    const hue = (cell: Element) => Number(colour(cell)![1]);
    const [[aa, ab, ac], [ba, bb, bc], [ca, cb, cc]] = rows;
    // row a: 6/9 right, 2/9 and 1/9 wrong
    expect(lightness(aa)).toBeLessThan(lightness(ac));
    expect(lightness(ac)).toBeLessThan(lightness(ab));
    // row c: 1/1 right, as dark as any share of 1; a share of 1 in a small row equals a share of 1 in a large one
    expect(lightness(cc)).toBeLessThan(lightness(aa));
    expect([hue(aa), hue(cc)]).toEqual([DIAGONAL_HUE, DIAGONAL_HUE]);
    expect([hue(ab), hue(ac)]).toEqual([OFF_DIAGONAL_HUE, OFF_DIAGONAL_HUE]);
    for (const empty of [ba, bb, bc, ca, cb]) {
      expect(colour(empty)).toBeNull();
      expect(attribute(empty, 'style')).toContain('background-color:#fff');
    }
    expect(attribute(ab, 'title')).toBe('a predicted as b: 1 of 9 (11.1%)');
    expect(attribute(bb, 'title')).toBe('b predicted as b: 0 of 0');
  });
});

describe('the lists', () => {
  test('every misclassified image is listed once with its true and predicted labels and probability, and every failure', () => {
    fc.assert(fc.property(scenario, ({ classes, pairs, failures }) => {
      const report = reportFrom(classes, pairs, failures);
      const document = documentOf(report);
      const lists = elements(document, 'table').filter((table) => hasClass(table, 'list'));
      const rows = (table: Element | undefined) => (table === undefined ? [] : elements(elements(table, 'tbody')[0], 'tr').map((row) => elements(row, 'td').map(text)));
      const misclassifiedRows = report.misclassified.length === 0 ? [] : rows(lists[0]);
      const expected = report.misclassified.map((image) => [image.key, image.trueLabel, image.predictedLabel, `${(image.probability * 100).toFixed(1)}%`]);
      expect([...misclassifiedRows].sort()).toEqual([...expected].sort());
      const failureRows = failures.length === 0 ? [] : rows(lists[report.misclassified.length === 0 ? 0 : 1]);
      expect(failureRows).toEqual(failures.map((failure) => [failure.key, failure.reason]));
    }), { numRuns: 60 });
  });

  test('misclassified images come most confident first', () => {
    const report = reportFrom(['a', 'b'], [
      { trueLabel: 'a', predictedLabel: 'b', key: 'low', probability: 0.51 },
      { trueLabel: 'a', predictedLabel: 'b', key: 'high', probability: 0.99 },
      { trueLabel: 'b', predictedLabel: 'a', key: 'mid', probability: 0.7 },
    ]);
    const table = elements(documentOf(report), 'table').find((candidate) => hasClass(candidate, 'list'))!;
    expect(elements(table, 'td').filter((cell) => hasClass(cell, 'key')).map(text)).toEqual(['high', 'mid', 'low']);
  });
});

describe('safety', () => {
  test('a label <script> stays text: no script element, no event attribute, and the label reads back exactly', () => {
    const evil = '<script>alert("x")</script>';
    const report = reportFrom([evil, 'ok'], [
      { trueLabel: evil, predictedLabel: 'ok', key: 'dataset/test/<img src=x onerror=alert(1)>.jpg', probability: 0.8 },
      { trueLabel: 'ok', predictedLabel: 'ok', key: 'k', probability: 0.9 },
    ], [{ key: '"><iframe src=//x>', reason: '</table>' }]);
    const html = renderReportHtml(report);
    const document = parse(html) as unknown as Element;
    expect(elements(document, 'script')).toEqual([]);
    expect(elements(document, 'img')).toEqual([]);
    expect(elements(document, 'iframe')).toEqual([]);
    const everyElement = (node: Element): Element[] => [node, ...(node.childNodes ?? []).flatMap(everyElement)];
    expect(everyElement(document).flatMap((node) => (node.attrs ?? []).map((attr) => attr.name)).filter((name) => name.startsWith('on'))).toEqual([]);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(text(elements(elements(matrixOf(document), 'tbody')[0], 'th')[0])).toBe(evil);
    expect(elements(document, 'td').map(text)).toEqual(expect.arrayContaining(['dataset/test/<img src=x onerror=alert(1)>.jpg', '"><iframe src=//x>', '</table>']));
  });

  test('for generated user data, the page has no script, link, image, frame, object or external URL, and a restrictive CSP', () => {
    fc.assert(fc.property(scenario, ({ classes, pairs, failures }) => {
      const html = renderReportHtml(reportFrom(classes, pairs, failures));
      const document = parse(html) as unknown as Element;
      for (const tag of ['script', 'link', 'img', 'iframe', 'object', 'embed', 'base', 'form']) expect(elements(document, tag)).toEqual([]);
      const allElements = elements(document, 'html').flatMap(function all(node: Element): Element[] {
        return [node, ...(node.childNodes ?? []).flatMap(all)];
      });
      for (const node of allElements) {
        for (const attr of node.attrs ?? []) {
          expect(attr.name.startsWith('on')).toBe(false);
          expect(['href', 'src', 'srcset', 'action']).not.toContain(attr.name);
        }
      }
      const csp = elements(document, 'meta').find((meta) => attribute(meta, 'http-equiv') === 'Content-Security-Policy');
      expect(attribute(csp!, 'content')).toBe("default-src 'none'; style-src 'unsafe-inline'");
    }), { numRuns: 60 });
  });

  test('escapeHtml escapes the five characters that matter in text and quoted attributes', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });
});

describe('the heading', () => {
  test('names the model, the run and the test-set version, with accuracy and macro F1', () => {
    const report = reportFrom(['a', 'b'], [
      { trueLabel: 'a', predictedLabel: 'a', key: 'x', probability: 0.9 },
      { trueLabel: 'b', predictedLabel: 'a', key: 'y', probability: 0.6 },
    ]);
    const document = documentOf(report);
    expect(text(elements(document, 'title')[0])).toBe('Evaluation of classifier-20260101-000000-abcdef01 (run 20260101-000000-abcdef01)');
    const header = text(elements(document, 'header')[0]);
    expect(header).toContain('20260101-000000-abcdef01');
    expect(header).toContain('abababababab');
    expect(header).toContain('hold-out from training/, 2 images');
    const figures = elements(document, 'div').filter((div) => hasClass(div, 'figure')).map(text);
    expect(figures[0]).toContain('50.0%');
    expect(figures[1]).toContain(report.macroF1.toFixed(3));
  });
});
