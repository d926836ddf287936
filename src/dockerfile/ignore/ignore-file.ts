/**
 * Reading .dockerignore files (moby's ignorefile.ReadAll) and choosing which one applies.
 */
import { goClean, goTrimSpace } from './go-path.js';

const BOM = '\uFEFF';

/**
 * Splits .dockerignore text into patterns: strips a BOM on the first line, skips lines starting
 * with `#` (before trimming), trims, drops blank lines, cleans each pattern and removes one leading
 * `/` (patterns are relative to the context root). `!` lines keep their `!`, with space after it removed.
 */
export function readIgnoreFile(text: string | undefined): string[] {
  if (text === undefined) return [];
  const lines = text.split('\n');
  // bufio.Scanner: a final empty piece after the last newline is not a line.
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const patterns: string[] = [];
  lines.forEach((rawLine, index) => {
    let line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (index === 0 && line.startsWith(BOM)) line = line.slice(BOM.length);
    if (line.startsWith('#')) return;
    let pattern = goTrimSpace(line);
    if (pattern === '') return;
    const invert = pattern.startsWith('!');
    if (invert) pattern = goTrimSpace(pattern.slice(1));
    if (pattern.length > 0) {
      pattern = goClean(pattern);
      if (pattern.length > 1 && pattern.startsWith('/')) pattern = pattern.slice(1);
    }
    patterns.push(invert ? `!${pattern}` : pattern);
  });
  return patterns;
}

/** Where the .dockerignore in effect came from. */
export type IgnoreFileSource = 'dockerfile' | 'context' | 'none';

export interface IgnoreFileCandidates {
  /** Contents of `<Dockerfile>.dockerignore` beside the Dockerfile, if that file exists. */
  readonly dockerfileSpecific?: string;
  /** Contents of `.dockerignore` at the context root, if that file exists. */
  readonly contextRoot?: string;
}

export interface SelectedIgnoreFile {
  readonly source: IgnoreFileSource;
  readonly patterns: readonly string[];
}

/**
 * The path of the Dockerfile-specific ignore file: `<dir>/<name>.dockerignore` for `<dir>/<name>`
 * (e.g. `build/app.Dockerfile` → `build/app.Dockerfile.dockerignore`).
 */
export function dockerfileIgnorePath(dockerfilePath: string): string {
  return `${dockerfilePath.replace(/\/+$/, '')}.dockerignore`;
}

/** The Dockerfile-specific ignore file wins over the context root's `.dockerignore`. */
export function selectIgnoreFile(candidates: IgnoreFileCandidates): SelectedIgnoreFile {
  if (candidates.dockerfileSpecific !== undefined) {
    return { source: 'dockerfile', patterns: readIgnoreFile(candidates.dockerfileSpecific) };
  }
  if (candidates.contextRoot !== undefined) {
    return { source: 'context', patterns: readIgnoreFile(candidates.contextRoot) };
  }
  return { source: 'none', patterns: [] };
}
