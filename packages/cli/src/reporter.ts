// Renders the runner's structured events as dbt-shaped console lines (`1 of 8 START sql table model
// main.customers …… [RUN]`, `Done. PASS=… WARN=… ERROR=… SKIP=… TOTAL=…`); on a TTY, node-progress
// events redraw one status line in place instead of printing.
import type { artifacts, NodeSummary, RunEvent, RunResults } from '@duckrun/dbt';

type NodeRunResult = artifacts.NodeRunResult;

/** dbt pads the message with dots to this width before the bracketed status. */
export const LINE_WIDTH = 80;

/** Options of {@link RunReporter}. */
export interface ReporterOptions {
  /** Where lines go (stdout); awaited in order. */
  readonly write: (text: string) => Promise<void>;
  /** duckrun's version, for the `Running with` line. */
  readonly version: string;
  /** The dbt version duckrun behaves as. */
  readonly dbtVersion: string;
  /** Redraw a progress line for node-progress events (stdout is a terminal); plain lines otherwise. */
  readonly isTTY?: boolean;
  /** Print debug-level log events too. */
  readonly debug?: boolean;
}

/** Turns {@link RunEvent}s into console text; pass {@link RunReporter.onEvent} as the runner's `onEvent`. */
export class RunReporter {
  readonly #options: ReporterOptions;
  #pending: Promise<void> = Promise.resolve();
  #progressShown = false;
  readonly #nodes = new Map<string, NodeSummary>();
  /** Resource counts in first-seen order, for `Finished running …`. */
  readonly #counts = new Map<string, number>();
  #hooksStarted = 0;

  constructor(options: ReporterOptions) {
    this.#options = options;
  }

  /** Handles one event; writes are queued, so call {@link flush} before exiting. */
  readonly onEvent = (event: RunEvent): void => {
    const text = this.render(event);
    if (text !== '') this.#emit(text);
  };

  /** Resolves once everything rendered so far is written. */
  async flush(): Promise<void> {
    await this.#pending;
  }

  /** The text one event prints (updating the reporter's counts); '' when it prints nothing. */
  render(event: RunEvent): string {
    switch (event.kind) {
      case 'run-start':
        return runStartText(this.#options, event.summary);
      case 'hook-start':
        this.#hooksStarted++;
        return `${fancyLine(`START hook: ${event.name}`, 'RUN', event.index, event.total)}\n`;
      case 'hook-finish': {
        const status = event.status === 'success' ? 'OK' : 'ERROR';
        const line = fancyLine(`${status} hook: ${event.name}`, status, event.index, event.total, event.seconds);
        return `${line}\n${event.status === 'error' && event.message ? `  ${event.message}\n` : ''}`;
      }
      case 'node-start':
        this.#nodes.set(event.node.uniqueId, event.node);
        this.#count(event.node);
        return `${fancyLine(startMessage(event.node), 'RUN', event.index, event.total)}\n`;
      case 'node-progress':
        if (!this.#options.isTTY) return '';
        this.#progressShown = true;
        return `\r\x1b[K  ${event.node.name}: ${event.message}`.slice(0, LINE_WIDTH + 12);
      case 'node-finish': {
        this.#nodes.set(event.node.uniqueId, event.node);
        const { message, status } = finishParts(event.node, event.result);
        return `${fancyLine(message, status, event.index, event.total, event.result.status === 'skipped' ? undefined : event.result.executionTime)}\n`;
      }
      case 'log':
        return logText(event.level, event.message, this.#options.debug === true);
      case 'run-finish':
        return runFinishText(event.results, this.#nodes, this.#statLine());
    }
  }

  #emit(text: string): void {
    // A plain line first wipes an in-place progress line so the two never share a row.
    let out = text;
    if (this.#progressShown && !text.startsWith('\r')) {
      out = `\r\x1b[K${text}`;
      this.#progressShown = false;
    }
    const write = this.#options.write;
    this.#pending = this.#pending.then(() => write(out));
  }

  #count(node: NodeSummary): void {
    const key = countKey(node);
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
  }

  #statLine(): string {
    const parts = [...this.#counts].map(([key, n]) => pluralize(n, key));
    if (this.#hooksStarted > 0) parts.push(pluralize(this.#hooksStarted, 'project hook'));
    return parts.join(', ');
  }
}

/**
 * One dbt status line: `{index} of {total} {message} ` padded with dots to {@link LINE_WIDTH},
 * then `[{status} in {seconds}s]`.
 */
export function fancyLine(message: string, status: string, index?: number, total?: number, seconds?: number): string {
  const progress = index === undefined || total === undefined ? '' : `${index} of ${total} `;
  let justified = `${progress}${message} `.padEnd(LINE_WIDTH, '.');
  if (justified.length > LINE_WIDTH) justified = `${justified.slice(0, LINE_WIDTH - 3)}...`;
  const time = seconds === undefined ? '' : ` in ${seconds.toFixed(2)}s`;
  return `${justified} [${status}${time}]`;
}

/** `Done. PASS=… WARN=… ERROR=… SKIP=… TOTAL=…` counts of a run's results. */
export function resultCounts(results: readonly NodeRunResult[]): { pass: number; warn: number; error: number; skip: number; total: number } {
  const counts = { pass: 0, warn: 0, error: 0, skip: 0, total: results.length };
  for (const r of results) {
    if (r.status === 'success' || r.status === 'pass') counts.pass++;
    else if (r.status === 'warn') counts.warn++;
    else if (r.status === 'skipped') counts.skip++;
    else counts.error++;
  }
  return counts;
}

/** `1.23` seconds as dbt prints a run's duration: `0 hours 0 minutes and 1.23 seconds (1.23s)`. */
export function formatElapsed(seconds: number): string {
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds - hours * 3600 - minutes * 60;
  return `${hours} hours ${minutes} minutes and ${rest.toFixed(2)} seconds (${seconds.toFixed(2)}s)`;
}

function runStartText(options: ReporterOptions, summary: string): string {
  const found = summary.trim() === '' ? '' : /^found\b/i.test(summary.trim()) ? summary.trim() : `Found ${summary.trim()}`;
  return `Running with duckrun=${options.version} (dbt=${options.dbtVersion} compatible)\n${found === '' ? '' : `${found}\n`}\n`;
}

function startMessage(node: NodeSummary): string {
  switch (node.resourceType) {
    case 'seed':
      return `START seed file ${node.relation}`;
    case 'snapshot':
      return `START snapshot ${node.relation}`;
    case 'test':
    case 'unit_test':
      return `START test ${node.name}`;
    case 'model':
      return `START ${node.language} ${node.materialization} model ${node.relation}`;
    default:
      return `START ${node.resourceType} ${node.relation || node.name}`;
  }
}

/** The message and bracketed status of a node's finish line, as dbt words them per resource type. */
function finishParts(node: NodeSummary, result: NodeRunResult): { message: string; status: string } {
  const isTest = node.resourceType === 'test' || node.resourceType === 'unit_test';
  if (result.status === 'skipped') {
    if (isTest) return { message: `SKIP test ${node.name}`, status: 'SKIP' };
    // dbt's wording when the upstream failure was an ephemeral model that did not compile.
    if (/ephemeral/i.test(result.message ?? '')) return { message: `SKIP relation ${node.relation} due to ephemeral model error`, status: 'ERROR SKIP' };
    return { message: `SKIP relation ${node.relation}`, status: 'SKIP' };
  }
  if (isTest) {
    const failures = result.failures ?? 0;
    switch (result.status) {
      case 'pass':
      case 'success':
        return { message: `PASS ${node.name}`, status: 'PASS' };
      case 'warn':
        return { message: `WARN ${failures} ${node.name}`, status: `WARN ${failures}` };
      case 'fail':
        return { message: `FAIL ${failures} ${node.name}`, status: `FAIL ${failures}` };
      default:
        return { message: `ERROR ${node.name}`, status: 'ERROR' };
    }
  }
  const ok = result.status === 'success' || result.status === 'pass' || result.status === 'partial success';
  const what = nodeDescription(node);
  if (!ok) {
    const verb = node.resourceType === 'seed' ? 'loading' : node.resourceType === 'snapshot' ? 'snapshotting' : 'creating';
    return { message: `ERROR ${verb} ${what}`, status: 'ERROR' };
  }
  if (node.resourceType === 'seed') {
    const rows = result.rowsAffected;
    return { message: `OK loaded ${what}`, status: result.adapterMessage ?? (rows === undefined ? 'OK' : `INSERT ${rows}`) };
  }
  if (node.resourceType === 'snapshot') return { message: `OK snapshotted ${what}`, status: result.adapterMessage ?? 'OK' };
  return { message: `OK created ${what}`, status: result.adapterMessage ?? 'OK' };
}

function nodeDescription(node: NodeSummary): string {
  switch (node.resourceType) {
    case 'seed':
      return `seed file ${node.relation}`;
    case 'snapshot':
      return `snapshot ${node.relation}`;
    case 'model':
      return `${node.language} ${node.materialization} model ${node.relation}`;
    default:
      return `${node.resourceType} ${node.relation || node.name}`;
  }
}

function countKey(node: NodeSummary): string {
  if (node.resourceType === 'model') return `${node.materialization} model`;
  if (node.resourceType === 'test') return 'data test';
  return node.resourceType.replace(/_/g, ' ');
}

function pluralize(n: number, noun: string): string {
  return `${n} ${n === 1 ? noun : `${noun}s`}`;
}

function logText(level: 'info' | 'debug' | 'warn' | 'error', message: string, debug: boolean): string {
  if (level === 'debug' && !debug) return '';
  const prefix = level === 'warn' ? '[WARNING]: ' : level === 'debug' ? 'debug: ' : '';
  return `${prefix}${message}\n`;
}

function runFinishText(run: RunResults, nodes: ReadonlyMap<string, NodeSummary>, statLine: string): string {
  const lines: string[] = [''];
  if (run.command !== 'compile' && run.command !== 'show' && run.command !== 'ls') {
    lines.push(`Finished running ${statLine === '' ? 'nothing' : statLine} in ${formatElapsed(run.elapsedTime)}.`, '');
  }
  const errors = run.results.filter((r) => r.status === 'error' || r.status === 'fail' || r.status === 'runtime error');
  const warnings = run.results.filter((r) => r.status === 'warn');
  if (errors.length === 0 && warnings.length === 0) {
    lines.push(run.success ? 'Completed successfully' : 'Completed with errors');
  } else {
    const partials = run.results.filter((r) => r.status === 'partial success').length;
    lines.push(
      errors.length === 0
        ? `Completed with ${pluralize(warnings.length, 'warning')}:`
        : `Completed with ${pluralize(errors.length, 'error')}, ${partials} partial ${partials === 1 ? 'success' : 'successes'}, and ${pluralize(warnings.length, 'warning')}:`,
    );
    for (const r of [...errors, ...warnings]) lines.push('', ...failureDetail(r, nodes.get(r.uniqueId)));
  }
  const c = resultCounts(run.results);
  lines.push('', `Done. PASS=${c.pass} WARN=${c.warn} ERROR=${c.error} SKIP=${c.skip} TOTAL=${c.total}`);
  return `${lines.join('\n')}\n`;
}

/** dbt's block for one failed or warned node: a headline, then the message indented. */
function failureDetail(r: NodeRunResult, node: NodeSummary | undefined): string[] {
  const type = node?.resourceType ?? r.uniqueId.split('.')[0] ?? 'node';
  const name = node?.name ?? r.uniqueId.split('.').slice(2).join('.');
  const message = (r.message ?? '').trim();
  let headline: string;
  let detail = message;
  if (r.status === 'fail' || r.status === 'warn') {
    headline = `${r.status === 'fail' ? 'Failure' : 'Warning'} in ${type} ${name}`;
    if (detail === '') {
      const n = r.failures ?? 0;
      detail = `Got ${n} ${n === 1 ? 'result' : 'results'}, configured to ${r.status === 'fail' ? 'fail' : 'warn'} if != 0`;
    }
  } else {
    headline = `Runtime Error in ${type} ${name}`;
  }
  return [headline, ...(detail === '' ? [] : detail.split('\n').map((l) => `  ${l}`))];
}
