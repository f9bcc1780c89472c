/**
 * The evaluation report as one self-contained HTML page: inline CSS, no script, no external resource (a Content
 * Security Policy says so to the browser too), every piece of user data (labels, keys, names) HTML-escaped. It shows
 * the figures, the confusion matrix as a heat map (each cell coloured by its share of the row: blue on the diagonal,
 * red elsewhere), the per-class table, the misclassified images (most confident mistakes first) and the failures.
 * Pure.
 */
import type { ClassMetrics, EvaluationReport } from '../shared/evaluation-report';

/** Column headers turn vertical past this many classes or this label length, so the matrix stays narrow. */
const VERTICAL_HEADERS_FROM_CLASSES = 9;
const VERTICAL_HEADERS_FROM_LABEL_LENGTH = 12;
/** Past this many classes the matrix's cells shrink; a matrix wider than the page scrolls on its own, row labels fixed. */
const COMPACT_MATRIX_FROM_CLASSES = 16;
/** The heat map's hues (HSL degrees) and the look of an empty cell. */
export const DIAGONAL_HUE = 212;
export const OFF_DIAGONAL_HUE = 4;
const EMPTY_CELL_BACKGROUND = '#fff';
const EMPTY_CELL_TEXT = '#8c959f';

export function renderReportHtml(report: EvaluationReport): string {
  const title = `Evaluation of ${report.modelName} (run ${report.runId})`;
  const scored = report.confusionMatrix.reduce((total, row) => total + row.reduce((a, b) => a + b, 0), 0);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>Evaluation of <span class="name">${escapeHtml(report.modelName)}</span></h1>
<p class="meta">Run <span class="name">${escapeHtml(report.runId)}</span> · ${escapeHtml(report.role)} · test set
<span class="name" title="${escapeHtml(report.testSet.version)}">${escapeHtml(report.testSet.version.slice(0, 12))}</span>
(${report.testSet.source === 'test-folder' ? 'the dataset&#39;s test/ folder' : 'hold-out from training/'}, ${report.testSet.imageCount} images)</p>
</header>
<section class="figures">
${figure('Accuracy', percent(report.accuracy), `${correctCount(report)} of ${scored} scored images`)}
${figure('Macro F1', report.macroF1.toFixed(3), 'mean F1 over the classes in the test set or the predictions')}
${figure('Failures', String(report.failures.length), 'test images without a usable answer, counted in no figure')}
</section>
<section>
<h2>Confusion matrix</h2>
<p class="note">Rows: true label. Columns: predicted label. Each cell shows the image count; the darker its colour, the larger its share of the row (blue: right, red: wrong).</p>
${matrixTable(report)}
</section>
<section>
<h2>Per class</h2>
${perClassTable(report.perClass)}
<p class="note">— : undefined (0/0): precision of a class never predicted, recall of a class with no test image.</p>
</section>
<section>
<h2>Misclassified images (${report.misclassified.length})</h2>
${misclassifiedTable(report)}
</section>
${report.failures.length === 0 ? '' : `<section>
<h2>Failures (${report.failures.length})</h2>
<table class="list"><thead><tr><th scope="col">Image</th><th scope="col">Reason</th></tr></thead><tbody>
${report.failures.map((failure) => `<tr><td class="key">${escapeHtml(failure.key)}</td><td>${escapeHtml(failure.reason)}</td></tr>`).join('\n')}
</tbody></table>
</section>`}
</body>
</html>
`;
}

/** Escapes text for HTML element content and double- or single-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function figure(name: string, value: string, explanation: string): string {
  return `<div class="figure"><div class="value">${value}</div><div class="label">${name}</div><div class="explain">${explanation}</div></div>`;
}

function matrixTable(report: EvaluationReport): string {
  const vertical = report.classes.length >= VERTICAL_HEADERS_FROM_CLASSES
    || report.classes.some((label) => label.length >= VERTICAL_HEADERS_FROM_LABEL_LENGTH);
  const header = report.classes.map((label) => `<th scope="col"${vertical ? ' class="vertical"' : ''}><span>${escapeHtml(label)}</span></th>`).join('');
  const rows = report.confusionMatrix.map((row, t) => {
    const total = row.reduce((a, b) => a + b, 0);
    const cells = row.map((count, p) => {
      const share = total === 0 ? 0 : count / total;
      const cellTitle = `${report.classes[t]} predicted as ${report.classes[p]}: ${count} of ${total}${total === 0 ? '' : ` (${percent(share)})`}`;
      return `<td style="${cellColour(count, share, t === p)}" title="${escapeHtml(cellTitle)}">${count}</td>`;
    }).join('');
    return `<tr><th scope="row">${escapeHtml(report.classes[t])}</th>${cells}<td class="total">${total}</td></tr>`;
  }).join('\n');
  const compact = report.classes.length >= COMPACT_MATRIX_FROM_CLASSES;
  return `<div class="scroll"><table class="matrix${compact ? ' compact' : ''}">
<thead><tr><th scope="col" class="corner">true \\ predicted</th>${header}<th scope="col" class="total">images</th></tr></thead>
<tbody>
${rows}
</tbody>
</table></div>`;
}

/**
 * Blue on the diagonal (right), red elsewhere (wrong), from near-white to saturated as the share of the row grows.
 * The lightness follows the square root of the share, so that a few mistakes in a large row still show; an empty
 * cell stays white with a grey 0.
 */
function cellColour(count: number, share: number, diagonal: boolean): string {
  if (count === 0) return `background-color:${EMPTY_CELL_BACKGROUND};color:${EMPTY_CELL_TEXT}`;
  const hue = diagonal ? DIAGONAL_HUE : OFF_DIAGONAL_HUE;
  const lightness = Math.round(95 - 50 * Math.sqrt(share));
  const text = lightness < 62 ? '#fff' : '#1f2328';
  return `background-color:hsl(${hue},${diagonal ? 70 : 75}%,${lightness}%);color:${text}`;
}

function perClassTable(perClass: readonly ClassMetrics[]): string {
  const rows = perClass.map((entry) => `<tr><th scope="row">${escapeHtml(entry.label)}</th><td>${fixed(entry.precision)}</td>`
    + `<td>${fixed(entry.recall)}</td><td>${fixed(entry.f1)}</td><td>${entry.support}</td></tr>`).join('\n');
  return `<table class="numbers">
<thead><tr><th scope="col">Class</th><th scope="col">Precision</th><th scope="col">Recall</th><th scope="col">F1</th><th scope="col">Support</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`;
}

function misclassifiedTable(report: EvaluationReport): string {
  if (report.misclassified.length === 0) return '<p class="note">None: every scored image got its true label.</p>';
  const sorted = [...report.misclassified].sort((a, b) => b.probability - a.probability || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const rows = sorted.map((image) => `<tr><td class="key">${escapeHtml(image.key)}</td><td>${escapeHtml(image.trueLabel)}</td>`
    + `<td>${escapeHtml(image.predictedLabel)}</td><td class="num">${percent(image.probability)}</td></tr>`).join('\n');
  return `<table class="list">
<thead><tr><th scope="col">Image</th><th scope="col">True label</th><th scope="col">Predicted label</th><th scope="col">Probability</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`;
}

function correctCount(report: EvaluationReport): number {
  return report.confusionMatrix.reduce((total, row, i) => total + row[i], 0);
}

function percent(value: number): string {
  return `${(value * 100).toFixed(1)}%`;
}

function fixed(value: number | null): string {
  return value === null ? '<span title="undefined (0/0)">—</span>' : value.toFixed(3);
}

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;background:#fff;margin:2rem auto;max-width:72rem;padding:0 1.5rem;line-height:1.45}
h1{font-size:1.6rem;margin:0 0 .25rem}h2{font-size:1.2rem;margin:2rem 0 .5rem;border-bottom:1px solid #d0d7de;padding-bottom:.25rem}
.name,.key{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.92em;overflow-wrap:anywhere}
.meta{color:#57606a;margin:0}.note{color:#57606a;font-size:.9rem}
.figures{display:flex;gap:1rem;flex-wrap:wrap;margin-top:1.25rem}
.figure{border:1px solid #d0d7de;border-radius:8px;padding:.75rem 1rem;min-width:12rem;flex:1}
.figure .value{font-size:2rem;font-weight:600}.figure .label{font-weight:600}.figure .explain{color:#57606a;font-size:.85rem}
table{border-collapse:collapse;font-size:.92rem}
th,td{padding:.3rem .6rem}
thead th{text-align:left;border-bottom:2px solid #d0d7de;vertical-align:bottom}
tbody th{text-align:left;font-weight:600}
.matrix td{text-align:center;min-width:2.6rem;border:1px solid #eaeef2;font-variant-numeric:tabular-nums}
.matrix td.total{background:#f6f8fa;color:#57606a}
.matrix th.total{color:#57606a;font-weight:normal}
.matrix th.corner{color:#57606a;font-weight:normal;font-size:.85rem}
.scroll{overflow-x:auto;max-width:100%}
.matrix tbody th{position:sticky;left:0;background:#fff;z-index:1}
.matrix.compact{font-size:.78rem}.matrix.compact td{min-width:1.7rem;padding:.15rem .25rem}.matrix.compact th{padding:.15rem .35rem}
.matrix th.vertical span{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap;display:inline-block}
.numbers td{text-align:right;font-variant-numeric:tabular-nums}
.numbers tbody tr:nth-child(even),.list tbody tr:nth-child(even){background:#f6f8fa}
.list td.num{text-align:right;font-variant-numeric:tabular-nums}
.list td{vertical-align:top}
`;
