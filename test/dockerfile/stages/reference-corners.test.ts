// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Dockerfile text uses ${VAR} on purpose.
/**
 * Regression tests for corner cases of the Dockerfile reference found in review: scoping of ARG/ENV,
 * heredocs, flag value validation (--chmod, --checksum, STOPSIGNAL, HEALTHCHECK), boolean flags followed by
 * arguments, stage references and names, and errors located at the flag they are about.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkDockerfile } from '../../../src/dockerfile/stages/check-dockerfile.js';
import type { CheckResult } from '../../../src/dockerfile/stages/resolve-dockerfile.js';
import { ErrorCode, KilnError, type SourceRange } from '../../../src/errors.js';
import { codes, envOf, instructionAt } from './helpers.js';

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

/** The KilnError `text` makes checkDockerfile throw. */
function failure(text: string, options: Parameters<typeof checkDockerfile>[1] = {}): KilnError {
  try {
    checkDockerfile(text, options);
  } catch (error) {
    assert.ok(error instanceof KilnError, `expected a KilnError, got ${String(error)}`);
    return error;
  }
  assert.fail(`expected ${JSON.stringify(text)} to fail`);
}

/** [line, startColumn, endColumn] of an error's range. */
function span(error: KilnError): [number, number, number] {
  const range = error.location?.range as SourceRange;
  assert.ok(range !== undefined, 'error has a location');
  return [range.start.line, range.start.column, range.end.column];
}

function labelValue(r: CheckResult, stage: number, position: number): string | undefined {
  const label = instructionAt(r, stage, position);
  return label.kind === 'label' ? label.labels[0]?.value : undefined;
}

describe('ARG and ENV scoping', () => {
  it('an ARG of one stage is not visible in another', () => {
    const r = checkDockerfile('FROM scratch\nARG A=1\nFROM scratch\nLABEL a=x$A\n');
    assert.equal(labelValue(r, 1, 0), 'x');
    assert.deepEqual(codes(r), ['UndefinedVar']);
  });

  it('a stage built FROM another stage inherits its ARGs (value and RUN environment)', () => {
    const r = checkDockerfile(
      'FROM busybox AS parent\nARG FOO=123\nFROM parent AS child\nRUN echo $FOO\nLABEL l=$FOO\n',
    );
    assert.equal(labelValue(r, 1, 1), '123');
    assert.deepEqual(r.stages[1]!.instructions[0]!.buildArgs, [
      { name: 'FOO', value: '123', inHistory: true },
    ]);
  });

  it('a meta ARG is visible in a stage only when redeclared there, and --build-arg wins', () => {
    assert.equal(labelValue(checkDockerfile('ARG V=meta\nFROM scratch\nLABEL a=x$V\n'), 0, 0), 'x');
    assert.equal(labelValue(checkDockerfile('ARG V=meta\nFROM scratch\nARG V\nLABEL a=$V\n'), 0, 1), 'meta');
    const cli = checkDockerfile('ARG V=meta\nFROM scratch\nARG V\nLABEL a=$V\n', { buildArgs: { V: 'cli' } });
    assert.equal(labelValue(cli, 0, 1), 'cli');
    const stageDefault = checkDockerfile('ARG V=meta\nFROM scratch\nARG V=own\nLABEL a=$V\n');
    assert.equal(labelValue(stageDefault, 0, 1), 'own');
  });

  it('FROM expands ${NAME:-default} against meta ARGs only', () => {
    assert.equal(checkDockerfile('FROM ${IMG:-alpine}\n').stages[0]!.baseName, 'alpine');
    assert.equal(checkDockerfile('ARG IMG=busybox\nFROM ${IMG:-alpine}\n').stages[0]!.baseName, 'busybox');
    const r = checkDockerfile('FROM ${IMG:-alpine}\n', { buildArgs: { IMG: 'debian' } });
    assert.equal(r.stages[0]!.baseName, 'alpine', 'a --build-arg without a meta ARG does not reach FROM');
  });

  it('ENV PATH=$PATH:/x extends the previous value', () => {
    const r = checkDockerfile('FROM scratch\nENV PATH=/bin\nENV PATH=$PATH:/x\n');
    assert.equal(envOf(r.stages[0]).PATH, '/bin:/x');
  });

  it('ENV A=1 B=$A: B sees the value A had before the instruction', () => {
    const r = checkDockerfile('FROM scratch\nENV A=0\nENV A=1 B=$A\n');
    assert.deepEqual(envOf(r.stages[0]), { A: '1', B: '0' });
  });
});

describe('heredocs', () => {
  it('RUN <<EOF keeps a shebang line as the first line of the file', () => {
    const r = checkDockerfile('FROM scratch\nRUN <<EOF\n#!/usr/bin/env python3\nprint(1)\nEOF\n');
    const run = instructionAt(r, 0, 0);
    assert.equal(
      run.kind === 'run' ? run.command.files[0]?.data : undefined,
      '#!/usr/bin/env python3\nprint(1)\n',
    );
  });

  it('COPY <<EOF expands variables in the body unless the delimiter is quoted', () => {
    const r = checkDockerfile(
      'FROM scratch\nARG N=val\nCOPY <<EOF /f\nhi $N\nEOF\nCOPY <<"EOF" /g\nhi $N\nEOF\n',
    );
    const body = (i: number): string | undefined => {
      const copy = instructionAt(r, 0, i);
      return copy.kind === 'copy' ? copy.sources.sourceContents[0]?.data : undefined;
    };
    assert.equal(body(1), 'hi val\n');
    assert.equal(body(2), 'hi $N\n');
  });
});

describe('COPY and ADD flags', () => {
  it('accepts octal and symbolic --chmod, rejects others at the flag', () => {
    for (const mode of ['755', '0644', '07777', 'u=rwx,go=rx', 'a+x', 'g-w,o=u', 'u+s']) {
      const copy = instructionAt(checkDockerfile(`FROM scratch\nCOPY --chmod=${mode} a /b\n`), 0, 0);
      assert.equal(copy.kind === 'copy' ? copy.chmod : undefined, mode);
    }
    for (const mode of ['999', '17777', 'abc', 'u=rwq', '', 'u+x,']) {
      const error = failure(`FROM scratch\nCOPY --chmod=${mode} a /b\n`);
      assert.equal(error.code, ErrorCode.DockerfileInstruction, mode);
      assert.match(error.message, /invalid chmod parameter/);
      assert.deepEqual(span(error), [2, 6, 14 + mode.length], `range of --chmod=${mode}`);
    }
    const expanded = failure('FROM scratch\nARG M=9\nADD --chmod=$M a /b\n');
    assert.match(expanded.message, /'9'/, 'validated after expansion');
  });

  it('ADD --checksum is for HTTP(S) and Git sources only, with a valid digest or commit', () => {
    const add = instructionAt(
      checkDockerfile(`FROM scratch\nADD --checksum=${DIGEST} https://x.test/a /a\n`),
      0,
      0,
    );
    assert.equal(add.kind === 'add' ? add.checksum : undefined, DIGEST);
    checkDockerfile(`FROM scratch\nADD --checksum=${'a'.repeat(40)} https://x.test/r.git /r\n`);
    checkDockerfile(`FROM scratch\nADD --checksum=${'b'.repeat(40)} git@github.com:o/r.git /r\n`);
    for (const [line, pattern] of [
      [`ADD --checksum=${DIGEST} local.txt /a`, /non-HTTP/],
      ['ADD --checksum=md5:abc https://x.test/a /a', /digest format/],
      [`ADD --checksum=${DIGEST} https://x.test/r.git /r`, /commit/],
      [`ADD --checksum=${DIGEST} <<EOF /a\nx\nEOF`, /HTTP\(S\) and Git/],
      [`ADD --checksum=${DIGEST} https://x.test/a https://x.test/b /d/`, /multiple sources/],
    ] as const) {
      const error = failure(`FROM scratch\n${line}\n`);
      assert.equal(error.code, ErrorCode.DockerfileInstruction);
      assert.match(error.message, pattern);
      assert.equal(span(error)[1], 5, 'points at --checksum');
    }
  });

  it('a boolean flag does not swallow the next word (--link --chown, --parents src)', () => {
    const copy = instructionAt(checkDockerfile('FROM scratch\nCOPY --link --chown=1:1 a /b\n'), 0, 0);
    assert.deepEqual(copy.kind === 'copy' ? [copy.link, copy.chown, copy.sources.sourcePaths] : [], [
      true,
      '1:1',
      ['a'],
    ]);
    const parents = instructionAt(checkDockerfile('FROM scratch\nCOPY --parents a/b /c\n'), 0, 0);
    assert.deepEqual(parents.kind === 'copy' ? [parents.parents, parents.sources.sourcePaths] : [], [
      true,
      ['a/b'],
    ]);
    const add = instructionAt(checkDockerfile('FROM scratch\nADD --link --keep-git-dir src /d\n'), 0, 0);
    assert.deepEqual(add.kind === 'add' ? [add.link, add.keepGitDir, add.sources.sourcePaths] : [], [
      true,
      true,
      ['src'],
    ]);
    const explicit = instructionAt(checkDockerfile('FROM scratch\nCOPY --link=false a /b\n'), 0, 0);
    assert.equal(explicit.kind === 'copy' ? explicit.link : undefined, false);
  });

  it('unknown, duplicate and malformed flags point at the flag, also on continuation lines', () => {
    assert.deepEqual(span(failure('FROM scratch\nCOPY --chown=1 --foo=1 a /b\n')), [2, 16, 23]);
    assert.deepEqual(span(failure('FROM scratch\nCOPY --link=maybe a /b\n')), [2, 6, 18]);
    assert.deepEqual(span(failure('FROM scratch\nCOPY --from=a --from=b x /y\n')), [2, 15, 23]);
    assert.deepEqual(span(failure('FROM scratch\nCOPY --chown=1 \\\n    --nope a /b\n')), [3, 5, 11]);
    assert.deepEqual(span(failure('FROM scratch\nRUN --network=foo true\n')), [2, 5, 18]);
    assert.deepEqual(span(failure('FROM scratch\nRUN --mount=type=bind true\n')), [2, 5, 22]);
  });
});

describe('other instructions', () => {
  it('WORKDIR: a relative path is reported once per chain; a base stage WORKDIR counts', () => {
    const r = checkDockerfile('FROM scratch\nWORKDIR a\nWORKDIR b\nWORKDIR /c\nWORKDIR d\n');
    assert.deepEqual(codes(r), ['WorkdirRelativePath']);
    assert.deepEqual(codes(checkDockerfile('FROM scratch AS a\nWORKDIR /x\nFROM a\nWORKDIR y\n')), []);
  });

  it('EXPOSE expands variables and splits them into ports', () => {
    const r = checkDockerfile('FROM scratch\nARG P="80 90/udp"\nEXPOSE $P 81-82\n');
    const expose = instructionAt(r, 0, 1);
    assert.deepEqual(expose.kind === 'expose' ? expose.ports : [], ['80/tcp', '90/udp', '81/tcp', '82/tcp']);
    assert.equal(failure('FROM scratch\nARG P=80/xyz\nEXPOSE $P\n').code, ErrorCode.DockerfileInstruction);
  });

  it('SHELL needs a JSON array with at least one element', () => {
    assert.match(failure('FROM scratch\nSHELL /bin/sh -c\n').message, /JSON/);
    assert.equal(failure('FROM scratch\nSHELL []\n').code, ErrorCode.DockerfileInstruction);
  });

  it('ONBUILD refuses ONBUILD, FROM and MAINTAINER triggers', () => {
    for (const trigger of ['ONBUILD RUN x', 'FROM alpine', 'MAINTAINER me']) {
      assert.equal(
        failure(`FROM scratch\nONBUILD ${trigger}\n`).code,
        ErrorCode.DockerfileInstruction,
        trigger,
      );
    }
  });

  it('STOPSIGNAL takes a signal number or name (any case, SIG optional), after expansion', () => {
    for (const signal of ['9', 'SIGKILL', 'term', 'SIGRTMIN+3', 'RTMAX-1']) {
      const stop = instructionAt(checkDockerfile(`FROM scratch\nSTOPSIGNAL ${signal}\n`), 0, 0);
      assert.equal(stop.kind === 'stopsignal' ? stop.signal : undefined, signal);
    }
    for (const signal of ['0', 'FOO', 'SIGRTMIN+16', '$S']) {
      const error = failure(`FROM scratch\nARG S=BAD\nSTOPSIGNAL ${signal}\n`);
      assert.match(error.message, /Invalid signal/, signal);
      assert.equal(span(error)[0], 3);
    }
  });

  it('HEALTHCHECK durations are 0 or at least 1ms, retries non-negative; errors point at the flag', () => {
    const ok = instructionAt(
      checkDockerfile('FROM scratch\nHEALTHCHECK --interval=1ms --retries=3 CMD true\n'),
      0,
      0,
    );
    assert.equal(ok.kind === 'healthcheck' && ok.health.kind === 'cmd' ? ok.health.intervalNs : 0, 1e6);
    for (const [flag, pattern] of [
      ['--interval=500us', /cannot be less than 1ms/],
      ['--timeout=-1s', /cannot be less than 1ms/],
      ['--start-period=abc', /invalid duration/],
      ['--retries=-1', /negative/],
    ] as const) {
      const error = failure(`FROM scratch\nHEALTHCHECK ${flag} CMD true\n`);
      assert.match(error.message, pattern);
      assert.deepEqual(span(error), [2, 13, 13 + flag.length], flag);
    }
  });
});

describe('stages', () => {
  it('FROM --platform=$BUILDPLATFORM uses the predefined platform args; a bad value points at the flag', () => {
    const r = checkDockerfile('FROM --platform=$BUILDPLATFORM alpine\n', {
      buildPlatform: { os: 'linux', architecture: 'arm64', variant: '' },
    });
    assert.equal(r.stages[0]!.platform, 'linux/arm64');
    const error = failure('ARG P=a/b/c/d\nFROM --platform=$P alpine\n');
    assert.equal(error.code, ErrorCode.Platform);
    assert.deepEqual(span(error), [2, 6, 19]);
  });

  it('stage names: lowercased, must start with a letter; scratch/context are reserved (warning)', () => {
    assert.equal(checkDockerfile('FROM alpine AS Build\nFROM build\n').stages[1]!.base.kind, 'stage');
    for (const name of ['1abc', 'a/b', '0']) {
      assert.equal(failure(`FROM alpine AS ${name}\n`).code, ErrorCode.DockerfileInstruction, name);
    }
    for (const name of ['scratch', 'context']) {
      assert.deepEqual(codes(checkDockerfile(`FROM alpine AS ${name}\n`)), ['ReservedStageName']);
    }
  });

  it('COPY --from by index: beyond the last stage is an error at the flag; itself is a cycle', () => {
    const beyond = failure('FROM alpine\nCOPY --from=5 a b\n');
    assert.equal(beyond.code, ErrorCode.Stage);
    assert.deepEqual(span(beyond), [2, 6, 14]);
    assert.equal(failure('FROM alpine\nCOPY --from=0 a b\n').code, ErrorCode.Stage);
    // BuildKit resolves --from after all stages are known (dockerfile2llb toCommand): a later stage is allowed.
    const later = checkDockerfile('FROM alpine AS first\nCOPY --from=1 a b\nFROM alpine\n', {
      target: 'first',
    });
    assert.deepEqual(later.reachable, [0, 1]);
  });

  it('--target matches stage names case-insensitively; an unknown target is an error', () => {
    const r = checkDockerfile('FROM alpine AS Build\nFROM alpine\n', { target: 'BUILD' });
    assert.equal(r.target.index, 0);
    assert.equal(failure('FROM alpine AS Build\nFROM alpine\n', { target: 'nope' }).code, ErrorCode.Stage);
  });
});
