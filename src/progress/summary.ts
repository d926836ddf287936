/**
 * The text printed when a build ends: warnings, failures (see failure.ts) and the result line.
 *
 *   built in 3.4s: 7 steps, 3 cached
 *   image sha256:4f1c…
 *   tagged example.com/app:1.0
 */
import type { BuildState } from './build-state.js';
import { renderError, renderProgressDiagnostic, renderVertexFailure, type SourceLookup } from './failure.js';
import { formatSeconds } from './format.js';

export interface SummaryOptions {
  readonly sources?: SourceLookup;
  /** Output lines of a failed step shown at most. */
  readonly errorLogLines: number;
  /** Include warnings and the success lines (false for `quiet`, which shows errors only). */
  readonly verbose: boolean;
}

/** Warnings, one per diagnostic, with a count header; empty when there are none. */
export function renderWarnings(state: BuildState, sources: SourceLookup | undefined): string {
  const warnings = state.warnings;
  if (warnings.length === 0) return '';
  const header = `${warnings.length} warning${warnings.length === 1 ? '' : 's'} found:\n`;
  return header + warnings.map((w) => renderProgressDiagnostic(w, sources)).join('');
}

/** Every failure: each failed step's block, then the build error when it says something they did not. */
export function renderFailures(state: BuildState, options: SummaryOptions): string {
  const failed = state.failedVertices();
  const parts = failed.map((v) =>
    renderVertexFailure(v, { logLines: options.errorLogLines, ...src(options) }),
  );
  const outcome = state.outcome;
  if (outcome?.kind === 'error') {
    const alreadyShown = failed.some((v) => v.error?.message === outcome.error.message);
    if (!alreadyShown)
      parts.push(renderError(outcome.error, { location: outcome.location, ...src(options) }));
  }
  return parts.join('');
}

/** Everything printed after the last step: warnings, failures and the result lines, a blank line apart. */
export function renderSummary(state: BuildState, options: SummaryOptions): string {
  const sections = [
    options.verbose ? renderWarnings(state, options.sources) : '',
    renderFailures(state, options),
    options.verbose ? renderResult(state) : '',
  ];
  return sections.filter((s) => s !== '').join('\n');
}

/** `built in …` / `build failed in …` with the image and its tags; empty while the build runs. */
export function renderResult(state: BuildState): string {
  const outcome = state.outcome;
  if (outcome === undefined) return '';
  const { total, cached } = state.counts();
  const steps = `${total} step${total === 1 ? '' : 's'}, ${cached} cached`;
  if (outcome.kind === 'error') return `build failed in ${formatSeconds(outcome.durationMs)}: ${steps}\n`;
  const tags = outcome.tags.map((tag) => `tagged ${tag}\n`).join('');
  return `built in ${formatSeconds(outcome.durationMs)}: ${steps}\nimage ${outcome.digest}\n${tags}`;
}

function src(options: SummaryOptions): { readonly sources: SourceLookup | undefined } {
  return { sources: options.sources };
}
