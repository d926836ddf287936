/**
 * Stage grouping, names, references, target selection, pruning and cycles.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDockerfile } from '../../../src/dockerfile/parser/index.js';
import { checkDockerfile } from '../../../src/dockerfile/stages/check-dockerfile.js';
import { parseStages } from '../../../src/dockerfile/stages/parse-stages.js';
import { ErrorCode } from '../../../src/errors.js';
import { thrown } from '../instructions/fixtures.js';

type Located = { code: string; message: string; location?: { range: { start: { line: number } } } };

const GRAPH = [
  'FROM scratch AS a', // 1
  'FROM scratch AS b', // 2
  'COPY --from=a / /', // 3
  'FROM scratch AS c', // 4
  'RUN --mount=type=bind,from=b,target=/b true', // 5
  'FROM alpine AS lone', // 6
  'COPY --from=busybox:latest /bin/sh /sh', // 7
  'FROM c AS d', // 8
  'RUN --mount=type=cache,target=/x,from=lone true', // 9
].join('\n');

describe('parseStages', () => {
  it('groups commands under their FROM and keeps meta ARGs apart', () => {
    const { metaArgs, stages } = parseStages(
      parseDockerfile('ARG A\nARG B=1\nFROM scratch AS One\nENV X=1\nRUN true\nFROM scratch\n', {}),
    );
    assert.deepEqual(
      metaArgs.map((m) => m.args.map((a) => a.key)),
      [['A'], ['B']],
    );
    assert.equal(stages.length, 2);
    assert.equal(stages[0]!.name, 'one', 'stage names are lowercased');
    assert.deepEqual(
      stages[0]!.commands.map((c) => c.kind),
      ['env', 'run'],
    );
    assert.deepEqual(stages[0]!.range, {
      start: { line: 3, column: 1 },
      end: stages[0]!.commands[1]!.range.end,
    });
    assert.equal(stages[1]!.name, undefined);
    assert.equal(stages[1]!.index, 1);
  });

  it('rejects instructions other than ARG before the first FROM', () => {
    const err = thrown(() => parseStages(parseDockerfile('ARG A\nENV B=1\nFROM scratch\n', {}))) as Located;
    assert.equal(err.code, ErrorCode.Stage);
    assert.equal(err.location?.range.start.line, 2);
  });

  it('validates stage names', () => {
    for (const bad of ['1abc', 'a$b', 'a/b']) {
      const err = thrown(() => parseStages(parseDockerfile(`FROM scratch AS ${bad}\n`, {})));
      assert.equal(err.code, ErrorCode.DockerfileInstruction, bad);
      assert.match(err.message, /invalid name for build stage/);
    }
    assert.equal(
      thrown(() => parseStages(parseDockerfile('FROM a b\n', {}))).message,
      'FROM requires either one or three arguments',
    );
    assert.doesNotThrow(() => parseStages(parseDockerfile('FROM scratch AS a-b_c.1\n', {})));
  });
});

describe('stage references and pruning', () => {
  const result = checkDockerfile(GRAPH);
  it('resolves FROM <stage>, COPY --from, RUN --mount from= by name; images otherwise', () => {
    assert.deepEqual(
      result.stages.map((s) => [s.displayName, s.base, s.dependsOn]),
      [
        ['a', { kind: 'scratch' }, []],
        ['b', { kind: 'scratch' }, [0]],
        ['c', { kind: 'scratch' }, [1]],
        ['lone', { kind: 'image', ref: 'alpine' }, []],
        ['d', { kind: 'stage', index: 2 }, [2, 3]],
      ],
    );
    assert.deepEqual(result.stages[3]!.instructions[0]!.sources, [{ kind: 'image', ref: 'busybox:latest' }]);
  });

  it('the default target is the last stage; reachable = what it needs', () => {
    assert.equal(result.target.name, 'd');
    assert.deepEqual(result.reachable, [0, 1, 2, 3, 4]);
  });

  it('an earlier target prunes the stages it does not need', () => {
    assert.deepEqual(checkDockerfile(GRAPH, { target: 'b' }).reachable, [0, 1]);
    assert.deepEqual(checkDockerfile(GRAPH, { target: 'C' }).reachable, [0, 1, 2]);
    assert.deepEqual(checkDockerfile(GRAPH, { target: 'lone' }).reachable, [3]);
  });

  it('FROM only refers to earlier stages; a later name is an image', () => {
    const r = checkDockerfile('FROM scratch AS x\nFROM y AS z\nFROM scratch AS y\n', { target: 'z' });
    assert.deepEqual(r.stages[1]!.base, { kind: 'image', ref: 'y' });
    assert.deepEqual(r.reachable, [1]);
  });

  it('COPY --from=<index> refers to that stage; an out-of-range index is an error', () => {
    const r = checkDockerfile('FROM scratch\nFROM scratch\nCOPY --from=0 / /\n');
    assert.deepEqual(r.stages[1]!.dependsOn, [0]);
    const err = thrown(() => checkDockerfile('FROM scratch\nCOPY --from=3 / /\n')) as Located;
    assert.equal(err.code, ErrorCode.Stage);
    assert.equal(err.location?.range.start.line, 2);
  });

  it('RUN --mount from= may not use variables', () => {
    const err = thrown(() => checkDockerfile('FROM scratch\nARG S=a\nRUN --mount=from=$S,target=/a true\n'));
    assert.match(err.message, /doesn't support variable expansion/);
  });

  it('COPY --from may use variables (expanded before the lookup)', () => {
    const r = checkDockerfile('FROM scratch AS src\nFROM scratch\nARG FROM=src\nCOPY --from=$FROM / /\n');
    assert.deepEqual(r.stages[1]!.dependsOn, [0]);
  });
});

describe('ONBUILD triggers of a base stage', () => {
  it('run first in the stage built FROM it, one level down only, expanded in that stage', () => {
    const r = checkDockerfile(
      'FROM scratch AS base\nONBUILD ENV GREETING=hi\nONBUILD COPY --from=tools /t /t\nFROM scratch AS tools\nFROM base AS child\nENV X=$GREETING\nFROM child\n',
    );
    const child = r.stages[2]!;
    assert.deepEqual(
      child.instructions.map((i) => [i.instruction.kind, i.onbuild, i.instruction.range.start.line]),
      [
        ['env', true, 2],
        ['copy', true, 3],
        ['env', false, 6],
      ],
    );
    assert.deepEqual(child.env, { GREETING: 'hi', X: 'hi' });
    assert.deepEqual(child.dependsOn, [0, 1], 'a trigger COPY --from adds a dependency');
    assert.deepEqual(r.stages[3]!.instructions, [], 'triggers do not fire again in grandchildren');
    assert.deepEqual(
      r.stages[0]!.instructions.map((i) => i.onbuild),
      [false, false],
    );
  });
});

describe('targets and cycles', () => {
  it('unknown target: E_STAGE with the BuildKit message', () => {
    const err = thrown(() => checkDockerfile(GRAPH, { target: 'nosuch' })) as Located;
    assert.equal(err.code, ErrorCode.Stage);
    assert.equal(err.message, 'failed to reach build target nosuch in Dockerfile');
    assert.ok(err.location !== undefined);
  });

  it('a stage copying from itself is a cycle', () => {
    const err = thrown(() => checkDockerfile('FROM busybox AS s\nRUN true\nCOPY --from=s / /\n')) as Located;
    assert.equal(err.code, ErrorCode.Stage);
    assert.equal(err.message, 'circular dependency detected on stage: s');
    assert.equal(err.location?.range.start.line, 3);
  });

  it('cycles through mounts and unnamed stages are found', () => {
    const err = thrown(() =>
      checkDockerfile('FROM scratch\nCOPY --from=1 / /\nFROM scratch\nRUN --mount=from=0,target=/x true\n'),
    ) as Located;
    assert.equal(err.message, 'circular dependency detected on stage: stage-0');
  });

  it('duplicate stage names are an error', () => {
    const err = thrown(() => checkDockerfile('FROM scratch AS a\nFROM scratch AS A\n')) as Located;
    assert.equal(err.code, ErrorCode.Stage);
    assert.match(err.message, /Duplicate stage name "a"/);
    assert.equal(err.location?.range.start.line, 2);
  });

  it('FROM --platform must expand to os/arch[/variant]', () => {
    const err = thrown(() => checkDockerfile('ARG P=\nFROM --platform=$P scratch\n')) as Located;
    assert.equal(err.code, ErrorCode.Platform);
    assert.equal(err.location?.range.start.line, 2);
    assert.equal(
      checkDockerfile('FROM --platform=linux/arm/v7 scratch\n').stages[0]!.platform,
      'linux/arm/v7',
    );
  });

  it('a Dockerfile without FROM is an error', () => {
    assert.equal(thrown(() => checkDockerfile('ARG A=1\n')).code, ErrorCode.Stage);
  });
});
