/** The check's report for people: one table of classes, one of problems, and a closing line. */
import { CliStream } from '../io';
import { formatBytes, renderTable } from '../output';
import { CheckReport, Problem } from './check';

export function renderCheckReport(stream: CliStream, report: CheckReport, extraProblems: readonly Problem[] = []): string {
  const problems = [...report.problems, ...extraProblems];
  const parts: string[] = [];
  parts.push(renderTable(stream, ['class', 'files', 'images', 'size', 'errors', 'warnings'],
    report.classes.map((c) => [c.name, c.files, c.images, formatBytes(c.bytes), c.errors, c.warnings]),
    { align: ['left', 'right', 'right', 'right', 'right', 'right'] }));
  if (problems.length > 0) {
    parts.push(renderTable(stream, ['severity', 'code', 'problem'], problems.map((p) => [p.severity, p.code, p.message])));
  }
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.length - errors;
  const images = report.classes.reduce((sum, c) => sum + c.images, 0);
  parts.push(`${report.classes.length} classes, ${images} images: ${errors} error(s), ${warnings} warning(s)`
    + `${errors > 0 ? ' — fix the errors before pushing' : ''}\n`);
  return parts.join('');
}
