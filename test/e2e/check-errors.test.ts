// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Dockerfile text uses ${VAR} on purpose.
/**
 * End-to-end: `kiln build --check` on bad Dockerfiles renders each error with its stable code, file:line:col,
 * the source line with a caret under the part at fault (the flag, for errors in flags), and no stack trace.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { canRunAsTestUser, runKiln, TEST_USER } from '../helpers/cli.js';

const user = canRunAsTestUser() ? TEST_USER : undefined;

interface BadCase {
  readonly name: string;
  readonly dockerfile: string;
  readonly code: string;
  readonly message: RegExp;
  /** Where the caret goes: line, column, and how many characters it underlines. */
  readonly line: number;
  readonly column: number;
  readonly width: number;
}

const CASES: readonly BadCase[] = [
  {
    name: 'bad --chmod points at the flag',
    dockerfile: 'FROM alpine\nCOPY --chmod=999 a /b\n',
    code: 'E_DOCKERFILE_INSTRUCTION',
    message: /invalid chmod parameter: '999'/,
    line: 2,
    column: 6,
    width: 11,
  },
  {
    name: 'unknown flag points at the flag',
    dockerfile: 'FROM alpine\nCOPY --chown=1 --foo=1 a /b\n',
    code: 'E_UNKNOWN_FLAG',
    message: /unknown flag: --foo/,
    line: 2,
    column: 16,
    width: 7,
  },
  {
    name: 'bad --mount points at that mount',
    dockerfile: 'FROM alpine\nRUN --mount=type=cache,target=/c \\\n    --mount=type=bind true\n',
    code: 'E_DOCKERFILE_INSTRUCTION',
    message: /requires a target/,
    line: 3,
    column: 5,
    width: 17,
  },
  {
    name: 'ADD --checksum on a local source points at the flag',
    dockerfile: `FROM alpine\nADD --checksum=sha256:${'a'.repeat(64)} local.txt /a\n`,
    code: 'E_DOCKERFILE_INSTRUCTION',
    message: /non-HTTP\(S\) source "local.txt"/,
    line: 2,
    column: 5,
    width: 82,
  },
  {
    name: 'bad STOPSIGNAL points at the signal',
    dockerfile: 'FROM alpine\nSTOPSIGNAL SIGFOO\n',
    code: 'E_DOCKERFILE_INSTRUCTION',
    message: /Invalid signal: SIGFOO/,
    line: 2,
    column: 12,
    width: 6,
  },
  {
    name: 'HEALTHCHECK interval below 1ms points at the flag',
    dockerfile: 'FROM alpine\nHEALTHCHECK --interval=1us CMD true\n',
    code: 'E_DOCKERFILE_INSTRUCTION',
    message: /cannot be less than 1ms/,
    line: 2,
    column: 13,
    width: 14,
  },
  {
    name: 'bad --platform points at the flag',
    dockerfile: 'FROM --platform=linux/a/b/c alpine\n',
    code: 'E_PLATFORM',
    message: /failed to parse platform "linux\/a\/b\/c"/,
    line: 1,
    column: 6,
    width: 22,
  },
  {
    name: 'COPY --from beyond the last stage points at the flag',
    dockerfile: 'FROM alpine\nCOPY --from=3 a b\n',
    code: 'E_STAGE',
    message: /invalid stage index 3/,
    line: 2,
    column: 6,
    width: 8,
  },
  {
    name: 'unknown instruction',
    dockerfile: 'FROM alpine\nRUN echo ok\nBOGUS x\n',
    code: 'E_UNKNOWN_INSTRUCTION',
    message: /unknown instruction: BOGUS/,
    line: 3,
    column: 1,
    width: 7,
  },
  {
    name: 'required variable unset',
    dockerfile: 'FROM alpine\nLABEL a=${X:?required}\n',
    code: 'E_EXPANSION',
    message: /X: required/,
    line: 2,
    column: 1,
    width: 22,
  },
  {
    name: 'instruction before FROM',
    dockerfile: '# comment\nRUN echo before from\nFROM alpine\n',
    code: 'E_STAGE',
    message: /no build stage in current context/,
    line: 2,
    column: 1,
    width: 20,
  },
  {
    name: 'unterminated heredoc',
    dockerfile: 'FROM alpine\nRUN <<EOF\necho never closed\n',
    code: 'E_DOCKERFILE_SYNTAX',
    message: /unterminated heredoc/,
    line: 2,
    column: 1,
    width: 9,
  },
  {
    name: 'bad stage name points at the name',
    dockerfile: 'FROM alpine AS 9lives\n',
    code: 'E_DOCKERFILE_INSTRUCTION',
    message: /invalid name for build stage: "9lives"/,
    line: 1,
    column: 16,
    width: 6,
  },
  {
    name: 'bad --chmod on a continuation line',
    dockerfile: 'FROM alpine\nCOPY --chown=1 \\\n  --chmod=u+z a /b\n',
    code: 'E_DOCKERFILE_INSTRUCTION',
    message: /invalid chmod parameter: 'u\+z'/,
    line: 3,
    column: 3,
    width: 11,
  },
  {
    name: 'boolean flag given a bad value',
    dockerfile: 'FROM alpine\nCOPY --link=maybe a /b\n',
    code: 'E_UNKNOWN_FLAG',
    message: /expecting boolean value for flag --link, not: maybe/,
    line: 2,
    column: 6,
    width: 12,
  },
];

function contextWith(dockerfile: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-e2e-check-'));
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, 'ctx'), { mode: 0o755 });
  writeFileSync(join(dir, 'ctx', 'Dockerfile'), dockerfile, { mode: 0o644 });
  return join(dir, 'ctx');
}

for (const c of CASES) {
  test(`kiln build --check: ${c.name}`, async () => {
    const dir = contextWith(c.dockerfile);
    const result = await runKiln(['build', '--check', dir], { user });
    const err = result.stderr;
    assert.equal(result.code, 1, err);
    assert.doesNotMatch(err, /\n\s+at /, 'no stack trace');
    const head = new RegExp(`^error: (.*) \\[${c.code}\\]$`, 'm').exec(err);
    assert.ok(head !== null, `an error line with [${c.code}]:\n${err}`);
    assert.match(head[1]!, c.message);
    const where = join(dir, 'Dockerfile');
    assert.ok(
      err.includes(` --> ${where}:${c.line}:${c.column}\n`),
      `location ${c.line}:${c.column}:\n${err}`,
    );
    const sourceLine = c.dockerfile.split('\n')[c.line - 1]!;
    const lines = err.split('\n');
    const at = lines.indexOf(`${c.line} | ${sourceLine}`);
    assert.ok(at >= 0, `the source line is shown:\n${err}`);
    const caret = /^ *\| ( *)(\^+)$/.exec(lines[at + 1] ?? '');
    assert.ok(caret !== null, `a caret line follows:\n${err}`);
    assert.equal(caret[1]!.length, c.column - 1, `caret column:\n${err}`);
    assert.equal(caret[2]!.length, c.width, `caret width:\n${err}`);
  });
}
