// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Dockerfile text uses ${VAR} on purpose.
/**
 * Property tests for the typed layer: `checkDockerfile` on generated Dockerfile-ish text only ever throws
 * located KilnErrors (a range inside the text), and always returns.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { checkDockerfile } from '../../../src/dockerfile/stages/check-dockerfile.js';
import { isKilnError, type SourceRange } from '../../../src/errors.js';

const KEYWORDS = [
  'FROM',
  'RUN',
  'CMD',
  'LABEL',
  'MAINTAINER',
  'EXPOSE',
  'ENV',
  'ADD',
  'COPY',
  'ENTRYPOINT',
  'VOLUME',
  'USER',
  'WORKDIR',
  'ARG',
  'ONBUILD',
  'STOPSIGNAL',
  'HEALTHCHECK',
  'SHELL',
  'from',
  'Copy',
  'FOO',
];
const FLAGS = [
  '--from=0',
  '--from=a',
  '--from=9',
  '--from=${S:-a}',
  '--chown=1:1',
  '--chmod=755',
  '--chmod=u+x',
  '--chmod=9',
  '--link',
  '--link=false',
  '--parents',
  '--exclude=*.md',
  '--checksum=sha256:abc',
  '--keep-git-dir',
  '--platform=$BUILDPLATFORM',
  '--platform=$P',
  '--platform=linux/arm64',
  '--mount=type=cache,target=/c',
  '--mount=type=bind,from=a,target=/b',
  '--mount=type=secret,id=s',
  '--mount=type=tmpfs,target=/t,size=1k',
  '--mount=type=ssh',
  '--mount=type=foo',
  '--mount=from=1',
  '--network=none',
  '--network',
  '--security=insecure',
  '--interval=5s',
  '--interval=1us',
  '--timeout=x',
  '--retries=-1',
  '--start-period=0',
  '--device=/dev/x',
  '--',
  '--nope',
  '--from',
];
const WORDS = [
  'alpine',
  'scratch',
  'a',
  'AS',
  'as',
  'b',
  'Build',
  '/x',
  'x/',
  '.',
  'https://x.test/a',
  'git@h:o/r.git',
  '$A',
  '${A}',
  '${A:-d}',
  '${A:?err}',
  '${A:+y}',
  '${A#p}',
  '${A/x/y}',
  '$$',
  '"q"',
  "'s'",
  '"unterminated',
  "'",
  '\\',
  '`',
  'k=v',
  'A=1',
  'B=$A',
  '=x',
  '80',
  '80/udp',
  '80-82',
  '1-x',
  'SIGTERM',
  'NONE',
  'CMD',
  '[]',
  '["a"]',
  '["sh", "-c"]',
  '[1]',
  '<<EOF',
  '<<-"EOF"',
  "<<'E'",
  '0644',
  'true',
  '#',
  '# c',
  'ψ',
  '\t',
];
const LINES = [
  '',
  '# escape=`',
  '# escape=\\',
  '# syntax=docker/dockerfile:1',
  '# check=skip=all;error=true',
  '# comment',
  'EOF',
  'E',
  '\tEOF',
  '  ',
  '\\',
  'FROM alpine',
  'FROM scratch AS a',
  'ARG A=1',
  'ARG P',
];

/** Any keyword with any flags and words: mostly errors at the first bad line. */
const randomLine = fc
  .tuple(
    fc.constantFrom(...KEYWORDS),
    fc.array(fc.constantFrom(...FLAGS), { maxLength: 3 }),
    fc.array(fc.constantFrom(...WORDS), { maxLength: 5 }),
    fc.constantFrom('', ' \\', '\\'),
  )
  .map(([keyword, flags, words, end]) => [keyword, ...flags, ...words].join(' ') + end);

/** Flags each instruction accepts, so that generated lines get past flag parsing into the deeper checks. */
const OWN_FLAGS: Readonly<Record<string, readonly string[]>> = {
  FROM: ['--platform=$BUILDPLATFORM', '--platform=$P', '--platform=linux/arm64'],
  RUN: FLAGS.filter((f) => /^--(mount|network|security|device)/.test(f)),
  COPY: FLAGS.filter((f) => /^--(from|chown|chmod|link|parents|exclude)/.test(f)),
  ADD: FLAGS.filter((f) => /^--(chown|chmod|link|checksum|keep-git-dir|exclude)/.test(f)),
  HEALTHCHECK: FLAGS.filter((f) => /^--(interval|timeout|retries|start-period)/.test(f)),
};

/** A keyword with its own flags and plausible words. */
const plausibleLine = fc
  .constantFrom(
    ...Object.keys(OWN_FLAGS),
    'ENV',
    'ARG',
    'LABEL',
    'EXPOSE',
    'WORKDIR',
    'USER',
    'STOPSIGNAL',
    'SHELL',
    'ONBUILD',
    'CMD',
    'VOLUME',
  )
  .chain((keyword) =>
    fc.tuple(
      fc.constant(keyword),
      fc.array(fc.constantFrom(...(OWN_FLAGS[keyword] ?? ['--'])), { maxLength: 2 }),
      fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 3 }),
      fc.constantFrom('', '', '', ' \\'),
    ),
  )
  .map(
    ([keyword, flags, words, end]) => [keyword, ...flags.filter((f) => f !== '--'), ...words].join(' ') + end,
  );

const instructionLine = fc.oneof(
  { weight: 1, arbitrary: randomLine },
  { weight: 4, arbitrary: plausibleLine },
);

const dockerfileText = fc
  .array(
    fc.oneof({ weight: 4, arbitrary: instructionLine }, { weight: 1, arbitrary: fc.constantFrom(...LINES) }),
    {
      minLength: 1,
      maxLength: 14,
    },
  )
  .chain((lines) => fc.tuple(fc.constant(lines), fc.constantFrom(true, true, true, false), fc.boolean()))
  .map(
    ([lines, startWithFrom, trailingNewline]) =>
      (startWithFrom ? ['ARG A=1', 'FROM alpine AS a', ...lines] : lines).join('\n') +
      (trailingNewline ? '\n' : ''),
  );

const options = fc.record(
  {
    target: fc.constantFrom('a', 'A', 'b', 'nope'),
    buildArgs: fc.dictionary(
      fc.constantFrom('A', 'P', 'S', 'HTTP_PROXY', 'X'),
      fc.constantFrom('', '1', 'a/b'),
    ),
  },
  { requiredKeys: [] },
);

/** True when `range` lies inside text of `lines` lines (a range may end one column past a line). */
function insideText(range: SourceRange, text: string): boolean {
  const lines = text.split('\n');
  const within = (p: { line: number; column: number }): boolean =>
    Number.isInteger(p.line) &&
    p.line >= 1 &&
    p.line <= lines.length &&
    p.column >= 1 &&
    p.column <= (lines[p.line - 1] ?? '').length + 1;
  const ordered =
    range.start.line < range.end.line ||
    (range.start.line === range.end.line && range.start.column <= range.end.column);
  return within(range.start) && within(range.end) && ordered;
}

/** A generous bound that only a hang or a pathological blow-up exceeds (not a performance assertion). */
const HANG_BOUND_MS = 5_000;

describe('checkDockerfile on generated Dockerfiles', () => {
  it('throws only KilnErrors, each located (file, line, column) inside the text, and returns promptly', () => {
    let failures = 0;
    fc.assert(
      fc.property(dockerfileText, options, (text, opts) => {
        const started = performance.now();
        try {
          checkDockerfile(text, { ...opts, file: 'Dockerfile.gen' });
        } catch (error) {
          failures++;
          assert.ok(isKilnError(error), `non-KilnError thrown: ${String(error)}`);
          assert.ok(error.location !== undefined, `${error.code} "${error.message}" has no location`);
          assert.equal(error.location.file, 'Dockerfile.gen');
          assert.ok(
            insideText(error.location.range, text),
            `${error.code} "${error.message}" range ${JSON.stringify(error.location.range)} outside the text`,
          );
        }
        assert.ok(performance.now() - started < HANG_BOUND_MS, 'checkDockerfile returned within the bound');
      }),
      { numRuns: 1500 },
    );
    assert.ok(failures > 0, 'the generator reaches error paths');
  });
});
