/**
 * Build checks (BuildKit lint rules) and the `# check=` directive.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkDockerfile } from '../../../src/dockerfile/stages/check-dockerfile.js';
import { isSecretName, parseCheckDirective } from '../../../src/dockerfile/stages/diagnostics.js';

function found(text: string, code: string, options = {}): { message: string; line: number | undefined }[] {
  return checkDockerfile(text, options)
    .diagnostics.filter((d) => d.code === code)
    .map((d) => ({ message: d.message, line: d.range?.start.line }));
}

describe('build checks', () => {
  it('MaintainerDeprecated', () => {
    assert.deepEqual(found('FROM scratch\nMAINTAINER me\n', 'MaintainerDeprecated'), [
      { message: 'Maintainer instruction is deprecated in favor of using label', line: 2 },
    ]);
  });

  it('JSONArgsRecommended for shell-form CMD/ENTRYPOINT only, not after an explicit or inherited SHELL', () => {
    const text =
      'FROM scratch AS a\nCMD run\nENTRYPOINT ["x"]\nFROM scratch\nENTRYPOINT run\nFROM scratch AS sh\nSHELL ["/bin/bash","-c"]\nCMD run\nFROM sh\nCMD run\n';
    assert.deepEqual(found(text, 'JSONArgsRecommended'), [
      {
        message: 'JSON arguments recommended for CMD to prevent unintended behavior related to OS signals',
        line: 2,
      },
      {
        message:
          'JSON arguments recommended for ENTRYPOINT to prevent unintended behavior related to OS signals',
        line: 5,
      },
    ]);
  });

  it('UndefinedVar with a suggestion, only where the base env is known', () => {
    const text = 'FROM scratch\nENV PORT=1\nEXPOSE $PROT\nFROM alpine\nENV X=$PATH\n';
    assert.deepEqual(found(text, 'UndefinedVar'), [
      { message: "Usage of undefined variable '$PROT' (did you mean $PORT?)", line: 3 },
    ]);
    const known = found(text, 'UndefinedVar', {
      imageEnv: (ref: string) => (ref === 'alpine' ? { PATH: '/bin' } : undefined),
    });
    assert.equal(known.length, 1);
    const unknownInImage = found('FROM alpine\nENV X=$NOPE\n', 'UndefinedVar', {
      imageEnv: () => ({ PATH: '/bin' }),
    });
    assert.deepEqual(unknownInImage, [{ message: "Usage of undefined variable '$NOPE'", line: 2 }]);
  });

  it('SecretsUsedInArgOrEnv follows the deny/allow token rules', () => {
    for (const name of [
      'API_KEY',
      'GITHUB_TOKEN',
      'password',
      'DB_PASSWD',
      'secret_message',
      'AUTH',
      'aws_credentials',
      'APIKEY',
    ]) {
      assert.ok(isSecretName(name), name);
    }
    for (const name of ['KEYS', 'MONKEY', 'PUBLIC_KEY', 'KEY_FILE', 'TOKEN_VERSION', 'AUTHOR', 'HOME']) {
      assert.ok(!isSecretName(name), name);
    }
    assert.deepEqual(
      found(
        'ARG GH_TOKEN\nFROM scratch\nENV DB_PASSWORD=x HOME=/\nARG PUBLIC_KEY\n',
        'SecretsUsedInArgOrEnv',
      ),
      [
        { message: 'Do not use ARG or ENV instructions for sensitive data (ARG "GH_TOKEN")', line: 1 },
        { message: 'Do not use ARG or ENV instructions for sensitive data (ENV "DB_PASSWORD")', line: 3 },
      ],
    );
  });

  it('StageNameCasing, FromAsCasing, ReservedStageName', () => {
    assert.deepEqual(found('FROM scratch AS Build\n', 'StageNameCasing'), [
      { message: "Stage name 'Build' should be lowercase", line: 1 },
    ]);
    assert.deepEqual(
      found('FROM scratch as b\nFROM scratch AS c\nfrom scratch AS d\nfrom scratch as e\n', 'FromAsCasing'),
      [
        { message: "'as' and 'FROM' keywords' casing do not match", line: 1 },
        { message: "'AS' and 'from' keywords' casing do not match", line: 3 },
      ],
    );
    assert.deepEqual(found('FROM busybox AS context\n', 'ReservedStageName'), [
      { message: 'Stage name should not use the same name as reserved stage "context"', line: 1 },
    ]);
  });

  it('ConsistentInstructionCasing against the majority', () => {
    assert.deepEqual(found('FROM scratch\nRUN a\nrun b\nCopy a b\n', 'ConsistentInstructionCasing'), [
      { message: "Command 'run' should match the case of the command majority (uppercase)", line: 3 },
      { message: "Command 'Copy' should match the case of the command majority (uppercase)", line: 4 },
    ]);
    assert.deepEqual(found('from scratch\nrun a\nRUN b\n', 'ConsistentInstructionCasing'), [
      { message: "Command 'RUN' should match the case of the command majority (lowercase)", line: 3 },
    ]);
  });

  it('MultipleInstructionsDisallowed points at the overridden instruction', () => {
    const text =
      'FROM scratch\nCMD ["a"]\nHEALTHCHECK NONE\nCMD ["b"]\nHEALTHCHECK NONE\nFROM scratch\nCMD ["c"]\n';
    assert.deepEqual(found(text, 'MultipleInstructionsDisallowed'), [
      {
        message:
          'Multiple CMD instructions should not be used in the same stage because only the last one will be used',
        line: 2,
      },
      {
        message:
          'Multiple HEALTHCHECK instructions should not be used in the same stage because only the last one will be used',
        line: 3,
      },
    ]);
  });

  it('WorkdirRelativePath (after expansion, only before an absolute WORKDIR)', () => {
    const text = 'FROM scratch\nARG D=/abs\nWORKDIR $D\nWORKDIR rel\nFROM scratch\nWORKDIR rel2\n';
    assert.deepEqual(found(text, 'WorkdirRelativePath'), [
      { message: 'Relative workdir "rel2" can have unexpected results if the base image changes', line: 6 },
    ]);
  });

  it('parser warnings come through as diagnostics', () => {
    const r = checkDockerfile('FROM scratch\nRUN echo a \\\n\n  b\n');
    assert.deepEqual(
      r.diagnostics.map((d) => [d.code, d.range?.start.line]),
      [['NoEmptyContinuation', 4]],
    );
    assert.deepEqual(
      checkDockerfile('# check=skip=NoEmptyContinuation\nFROM scratch\nRUN echo a \\\n\n  b\n').diagnostics,
      [],
    );
  });
});

describe('# check= directive', () => {
  const text = 'FROM scratch AS Bad\nMAINTAINER me\nCMD run\n';
  it('parses skip lists and error=true', () => {
    assert.deepEqual(parseCheckDirective('skip=A,B;error=true'), { skip: ['A', 'B'], error: true });
    assert.deepEqual(parseCheckDirective(undefined), { skip: [], error: false });
  });

  it('skips named rules and turns findings into errors', () => {
    const r = checkDockerfile(`# check=skip=JSONArgsRecommended,StageNameCasing;error=true\n${text}`);
    assert.deepEqual(
      r.diagnostics.map((d) => [d.code, d.severity]),
      [['MaintainerDeprecated', 'error']],
    );
    assert.equal(
      r.diagnostics[0]!.url,
      'https://docs.docker.com/reference/build-checks/maintainer-deprecated/',
    );
    const json = checkDockerfile('FROM scratch\nCMD run\n').diagnostics[0];
    assert.equal(json?.url, 'https://docs.docker.com/reference/build-checks/json-args-recommended/');
  });

  it('skip=all silences everything; options override the directive', () => {
    assert.deepEqual(checkDockerfile(`# check=skip=all\n${text}`).diagnostics, []);
    const r = checkDockerfile(`# check=skip=all\n${text}`, { checks: { skip: [] } });
    assert.deepEqual(
      r.diagnostics.map((d) => [d.code, d.severity]),
      [
        ['StageNameCasing', 'warning'],
        ['MaintainerDeprecated', 'warning'],
        ['JSONArgsRecommended', 'warning'],
      ],
    );
  });
});
