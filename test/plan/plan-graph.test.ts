import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkDockerfile } from '../../src/dockerfile/stages/index.js';
import { isKilnError } from '../../src/errors.js';
import { type BuildPlan, baseImageRequests, type CopyAction } from '../../src/plan/index.js';
import { opById, opsOfKind, plan } from './plan-helpers.js';

function assertTopological(p: BuildPlan): void {
  const seen = new Set<string>();
  for (const op of p.ops) {
    for (const input of op.inputs) assert.ok(seen.has(input), `${op.id} reads ${input} before it exists`);
    assert.ok(!seen.has(op.id), `duplicate ${op.id}`);
    seen.add(op.id);
  }
}

function copies(p: BuildPlan): CopyAction[] {
  return opsOfKind(p, 'file').flatMap((f) => f.actions.filter((a): a is CopyAction => a.kind === 'copy'));
}

const MULTI = [
  'FROM golang:1.22 AS build',
  'RUN go build',
  'FROM golang:1.22 AS test',
  'RUN go test',
  'FROM alpine AS unused',
  'RUN echo never',
  'FROM alpine',
  'COPY --from=build /out /app',
  '',
].join('\n');

describe('plan graph', () => {
  it('leaves out stages the target does not need', () => {
    const p = plan(MULTI);
    assert.deepEqual(
      p.stages.map((s) => s.index),
      [0, 3],
    );
    assert.ok(!p.ops.some((o) => o.stage === 1 || o.stage === 2));
    assertTopological(p);
  });

  it('plans a named target and only what it needs', () => {
    const p = plan(MULTI, { target: 'test' });
    assert.deepEqual(
      p.stages.map((s) => s.index),
      [1],
    );
    assert.equal(p.target, 1);
    assert.equal(p.result, p.stages[0]!.result);
    assert.throws(
      () => plan(MULTI, { target: 'nope' }),
      (e) => isKilnError(e) && e.code === 'E_STAGE',
    );
  });

  it('a base image used by several stages is one source op; platforms make distinct sources', () => {
    const p = plan(
      'FROM alpine AS a\nRUN a\nFROM alpine AS b\nRUN b\nFROM scratch\nCOPY --from=a /a /a\nCOPY --from=b /b /b\nCOPY --from=alpine /etc/os-release /\n',
    );
    const images = opsOfKind(p, 'source').filter((s) => s.source.kind === 'image');
    assert.equal(images.length, 1);
    assert.equal(p.stages[0]!.baseOp, images[0]!.id);
    assert.equal(p.stages[1]!.baseOp, images[0]!.id);
    const arm = plan('FROM alpine AS a\nFROM --platform=linux/arm64 alpine\nCOPY --from=a / /\n');
    assert.equal(opsOfKind(arm, 'source').filter((s) => s.source.kind === 'image').length, 2);
    assertTopological(p);
  });

  it('a stage FROM another stage starts at its result and inherits its layers', () => {
    const p = plan('FROM scratch AS a\nCOPY x /x\nFROM a\nRUN y\n');
    const [a, b] = p.stages;
    assert.equal(b!.baseOp, a!.result);
    assert.deepEqual(p.layerOps, [...a!.layerOps, b!.result]);
    const run = opById(p, b!.result);
    assert.equal(run.kind === 'exec' && run.rootfs, a!.result);
  });

  it('COPY resolves destinations against WORKDIR and sources against the context root', () => {
    const p = plan('FROM scratch\nWORKDIR /app\nCOPY ./src/../a.txt b/ .\nCOPY c sub\nCOPY d /abs/\n');
    assert.deepEqual(
      copies(p).map((c) => [c.source, c.dest]),
      [
        ['/a.txt', '/app/'],
        ['/b', '/app/'],
        ['/c', '/app/sub'],
        ['/d', '/abs/'],
      ],
    );
    assert.ok(copies(p).every((c) => c.from.kind === 'context' && c.followSymlinks && c.allowWildcard));
  });

  it('COPY options: chown, chmod, exclude, parents', () => {
    const p = plan(
      'FROM scratch\nCOPY --chown=1:1 --chmod=0640 --exclude=*.md --parents a/./b/*.txt /dst/\n',
    );
    const [c] = copies(p);
    assert.equal(c!.chown, '1:1');
    assert.equal(c!.chmod, '0640');
    assert.deepEqual(c!.exclude, ['*.md']);
    assert.equal(c!.source, '/a');
    assert.deepEqual(c!.includePatterns, ['b/*.txt']);
    assert.deepEqual(c!.requiredPaths, []);
    const { id: _id, ...selection } = p.contextSelections[0]!;
    assert.deepEqual(selection, {
      patterns: ['a/./b/*.txt'],
      excludes: ['*.md'],
      parents: true,
      followSymlinks: true,
      allowEmptyWildcard: true,
    });
  });

  it('rejects bad chmod values', () => {
    for (const mode of ['999', '17777', 'u+q']) {
      assert.throws(
        () => plan(`FROM scratch\nCOPY --chmod=${mode} a /a\n`),
        (e) => isKilnError(e) && e.code === 'E_DOCKERFILE_INSTRUCTION',
        mode,
      );
    }
    assert.doesNotThrow(() => plan('FROM scratch\nCOPY --chmod=u+rwx,go=rx a /a\n'));
  });

  it('COPY --link copies onto scratch and merges; with --chmod it does not', () => {
    const p = plan('FROM scratch AS a\nCOPY x /x\nCOPY --link y /y\n');
    const merge = opsOfKind(p, 'merge')[0]!;
    const file = opById(p, merge.inputs[1]!);
    assert.equal(file.kind === 'file' && file.base, undefined);
    assert.equal(merge.inputs[0], p.stages[0]!.steps[0]!.op);
    assert.ok(!file.inputs.includes(merge.inputs[0]!), 'the linked copy does not read the lower layer');
    assert.equal(p.result, merge.id);
    assert.equal(opsOfKind(plan('FROM scratch\nCOPY --link --chmod=644 y /y\n'), 'merge').length, 0);
  });

  it('ADD: local archives unpack, URLs download (no unpack), git sources check out', () => {
    const p = plan(
      [
        'FROM scratch',
        'ADD app.tar.gz /opt/',
        'ADD --checksum=sha256:' + 'a'.repeat(64) + ' https://example.com/dl/tool.tgz /tools/',
        'ADD https://example.com/ /root/',
        'ADD --keep-git-dir https://github.com/org/repo.git#v1.0:docs /docs',
        'ADD --unpack=false local.tar /x/',
        '',
      ].join('\n'),
    );
    const [local, http, unnamed, git, noUnpack] = copies(p);
    assert.equal(local!.unpack, true);
    const httpSource = opById(p, http!.from.kind === 'op' ? http!.from.op : '');
    assert.deepEqual(httpSource.kind === 'source' && httpSource.source, {
      kind: 'http',
      url: 'https://example.com/dl/tool.tgz',
      filename: 'tool.tgz',
      checksum: `sha256:${'a'.repeat(64)}`,
    });
    assert.equal(http!.source, '/tool.tgz');
    assert.equal(http!.unpack, false);
    assert.equal(unnamed!.source, '/__unnamed__');
    const gitSource = opById(p, git!.from.kind === 'op' ? git!.from.op : '');
    assert.deepEqual(gitSource.kind === 'source' && gitSource.source, {
      kind: 'git',
      url: 'https://github.com/org/repo.git',
      ref: 'v1.0',
      subdir: 'docs',
      keepGitDir: true,
    });
    assert.equal(noUnpack!.unpack, false);
    assertTopological(p);
  });

  it('rejects COPY from URLs and git, and misplaced checksums', () => {
    const bad = [
      'COPY https://example.com/x /x',
      'COPY git@github.com:org/repo.git /x',
      'ADD --checksum=sha256:' + 'a'.repeat(64) + ' local.txt /x',
      'ADD --checksum=sha256:' + 'a'.repeat(64) + ' https://a/x https://a/y /x/',
      'ADD --checksum=md5:abc https://a/x /x',
    ];
    for (const line of bad) {
      assert.throws(
        () => plan(`FROM scratch\n${line}\n`),
        (e) => isKilnError(e) && e.code === 'E_DOCKERFILE_INSTRUCTION',
        line,
      );
    }
  });

  it('COPY heredoc sources become inline files (0644)', () => {
    const [c] = copies(plan('FROM scratch\nCOPY <<EOF /etc/motd\nhi $USER\nEOF\n'));
    assert.deepEqual(c!.from, { kind: 'inline', file: { path: '/EOF', data: 'hi \n', mode: 0o644 } });
    assert.equal(c!.dest, '/etc/motd');
  });

  it('WORKDIR makes a mkdir as the current user; WORKDIR / makes no layer', () => {
    const p = plan('FROM scratch\nUSER 1000\nWORKDIR /home/u\nWORKDIR /\n');
    const [mk] = opsOfKind(p, 'file');
    assert.deepEqual(mk!.actions, [
      { kind: 'mkdir', path: '/home/u', mode: 0o755, parents: true, user: '1000' },
    ]);
    assert.equal(p.layerOps.length, 1);
  });

  it('config-only instructions make meta ops that later filesystem ops do not read', () => {
    const p = plan('FROM scratch\nCOPY a /a\nENV X=1\nLABEL l=1\nRUN true\n');
    const metas = opsOfKind(p, 'meta');
    assert.deepEqual(
      metas.map((m) => m.instruction),
      ['env', 'label'],
    );
    const [run] = opsOfKind(p, 'exec');
    const [copy] = opsOfKind(p, 'file');
    assert.equal(run!.rootfs, copy!.id);
    assert.ok(metas.every((m) => m.inputs[0] === copy!.id));
  });

  it('progress names carry [stage i/n] counters', () => {
    const p = plan('FROM alpine AS a\nRUN one\nCOPY x y\nFROM a\nRUN two\n');
    assert.deepEqual(
      p.ops.filter((o) => o.stage !== undefined && o.kind !== 'meta').map((o) => o.name),
      ['[a 2/3] RUN one', '[a 3/3] COPY x y', '[stage-1 1/1] RUN two'],
    );
  });

  it('a base image trigger with COPY --from plans the stage it names', () => {
    const images = {
      img: {
        architecture: 'amd64',
        os: 'linux',
        rootfs: { type: 'layers' as const, diff_ids: [] },
        config: { OnBuild: ['COPY --from=helper /h /h'] },
      },
    };
    const p = plan('FROM scratch AS helper\nCOPY h /h\nFROM img\n', {
      baseImage: (ref) => (ref === 'img' ? images.img : undefined),
    });
    assert.deepEqual(
      p.stages.map((s) => s.index),
      [0, 1],
    );
    assertTopological(p);
  });
});

describe('base images', () => {
  it('lists the base images the target needs, with their platforms', () => {
    const resolved = checkDockerfile(
      MULTI.replace('FROM alpine AS unused', 'FROM --platform=linux/arm64 alpine AS unused'),
    );
    assert.deepEqual(baseImageRequests(resolved), [
      { ref: 'golang:1.22', platform: { os: 'linux', architecture: 'amd64', variant: '' } },
      { ref: 'alpine', platform: { os: 'linux', architecture: 'amd64', variant: '' } },
    ]);
    assert.deepEqual(
      baseImageRequests(resolved, { target: 'unused' }).map((r) => r.platform.architecture),
      ['arm64'],
    );
  });

  it('an image without layers starts from scratch but keeps its config', () => {
    const p = plan('FROM empty\nRUN x\n', {
      images: {
        empty: {
          architecture: 'amd64',
          os: 'linux',
          rootfs: { type: 'layers', diff_ids: [] },
          config: { User: 'u' },
        },
      },
    });
    assert.equal(p.stages[0]!.baseOp, 'scratch');
    assert.equal(p.image.config?.User, 'u');
  });
});
