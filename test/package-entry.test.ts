// biome-ignore-all lint/suspicious/noTemplateCurlyInString: shell words are written with ${…} on purpose
/**
 * The library entry other tools import: resolved through package.json `exports` by the package's own
 * name (Node's self-reference), not through a path into src/. The type annotations pin the documented
 * signatures at compile time; the calls pin the behaviour at run time.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type * as Entry from '../src/index.js';
import { repoRoot } from './helpers/paths.js';

const manifest = JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as {
  readonly name: string;
  readonly exports: Record<string, { readonly import: string; readonly types: string }>;
};
/** Imported by name, so the `exports` map is what resolves it. */
const kiln = (await import(manifest.name)) as typeof Entry;

// The documented signatures, checked by the compiler against what the entry exports.
const parseDockerfile: (text: string, opts?: Entry.ParseOptions) => Entry.DockerfileAst =
  kiln.parseDockerfile;
const dumpAst: (ast: Entry.DockerfileAst) => string = kiln.dumpAst;
type PlainEnv = Readonly<Record<string, string>>;
const processWord: (word: string, env: PlainEnv, opts?: Entry.ShellOptions) => string = kiln.processWord;
const processWords: (word: string, env: PlainEnv, opts?: Entry.ShellOptions) => string[] = kiln.processWords;
const createIgnoreMatcher: (patterns: readonly string[]) => { matches(path: string): boolean } =
  kiln.createIgnoreMatcher;

describe('package entry (import by package name)', () => {
  it('package.json names kiln, with a bin and an exports entry with types', () => {
    assert.equal(manifest.name, 'kiln');
    assert.equal(manifest.exports['.']?.import, './dist/src/index.js');
    assert.equal(manifest.exports['.']?.types, './dist/src/index.d.ts');
  });

  it('parseDockerfile returns the AST with its warnings; dumpAst prints BuildKit’s dump', () => {
    const ast = parseDockerfile('FROM alpine AS b\nRUN echo a \\\n\n  b\nCMD ["sh", "-c"]\n', {
      file: 'x/Dockerfile',
    });
    assert.equal(ast.children.length, 3);
    assert.equal(ast.warnings.length, 1, 'the empty continuation line is a warning, not an error');
    assert.equal(dumpAst(ast), '(from "alpine" "AS" "b")\n(run "echo a   b")\n(cmd "sh" "-c")\n');
  });

  it('parse errors are typed, coded and located in the given file', () => {
    assert.throws(
      () => parseDockerfile('FROM a\nRUN <<EOF\n', { file: 'x/Dockerfile' }),
      (error: unknown) =>
        kiln.isKilnError(error) && /^E_/.test(error.code) && error.location?.file === 'x/Dockerfile',
    );
  });

  it('processWord and processWords expand with a plain object env, and fail with a typed error', () => {
    const env = { A: 'one two', EMPTY: '' };
    assert.equal(processWord('${A}-"$A"-${EMPTY:-d}', env), 'one two-one two-d');
    assert.deepEqual(processWords('x $A "$A"', env), ['x', 'one', 'two', 'one two']);
    assert.throws(
      () => processWord('${UNSET:?needed}', env),
      (error: unknown) => kiln.isKilnError(error) && error.code === kiln.ErrorCode.Expansion,
    );
  });

  it('createIgnoreMatcher matches like .dockerignore (exceptions, parents, **)', () => {
    const matcher = createIgnoreMatcher(['**/*.log', 'build', '!build/keep.txt']);
    assert.equal(matcher.matches('a/b/c.log'), true);
    assert.equal(matcher.matches('build/out/x'), true);
    assert.equal(matcher.matches('build/keep.txt'), false);
    assert.equal(matcher.matches('src/main.ts'), false);
  });
});
