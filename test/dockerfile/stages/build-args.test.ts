// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Dockerfile text uses ${VAR} on purpose.
/**
 * Build-arg and env scoping as BuildKit does it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkDockerfile } from '../../../src/dockerfile/stages/check-dockerfile.js';
import { ErrorCode } from '../../../src/errors.js';
import { thrown } from '../instructions/fixtures.js';
import { argsAt, codes, envOf, instructionAt } from './helpers.js';

describe('meta ARGs', () => {
  it('are visible on FROM lines, with --build-arg overriding the default', () => {
    const text = 'ARG IMG=alpine\nARG TAG=3\nFROM $IMG:${TAG}\n';
    const plain = checkDockerfile(text);
    assert.equal(plain.stages[0]!.baseName, 'alpine:3');
    assert.deepEqual(plain.stages[0]!.base, { kind: 'image', ref: 'alpine:3' });
    const overridden = checkDockerfile(text, { buildArgs: { TAG: '3.20' } });
    assert.equal(overridden.stages[0]!.baseName, 'alpine:3.20');
    assert.deepEqual(overridden.stages[0]!.fromBuildArgs.map((u) => `${u.name}=${u.value}`).sort(), [
      'IMG=alpine',
      'TAG=3.20',
    ]);
  });

  it('see earlier meta ARGs in their defaults', () => {
    const r = checkDockerfile('ARG A=x\nARG B=${A}y\nFROM scratch\n');
    assert.deepEqual(
      r.metaArgs.map((m) => [m.key, m.value]),
      [
        ['A', 'x'],
        ['B', 'xy'],
      ],
    );
  });

  it('are not visible inside a stage unless redeclared (then they inherit the value)', () => {
    const r = checkDockerfile('ARG V=1\nFROM scratch\nENV A=$V\nARG V\nENV B=$V\n', { buildArgs: {} });
    assert.equal(envOf(r.stages[0]).A, '');
    assert.equal(envOf(r.stages[0]).B, '1');
    const undefinedVar = r.diagnostics.filter((d) => d.code === 'UndefinedVar');
    assert.equal(undefinedVar.length, 1);
    assert.equal(undefinedVar[0]!.range?.start.line, 3);
  });

  it('a redeclared meta ARG takes the --build-arg value', () => {
    const r = checkDockerfile('ARG V=1\nFROM scratch\nARG V\nENV B=$V\n', { buildArgs: { V: 'cli' } });
    assert.equal(envOf(r.stages[0]).B, 'cli');
  });
});

describe('stage ARGs', () => {
  it('count from their line on, do not leak into another stage, and are inherited through FROM <stage>', () => {
    const r = checkDockerfile(
      'FROM scratch AS a\nENV A=$X\nARG X=2\nENV B=$X\nFROM scratch\nENV C=$X\nFROM a\nENV D=$X\n',
    );
    assert.equal(envOf(r.stages[0]).A, '');
    assert.equal(envOf(r.stages[0]).B, '2');
    assert.equal(envOf(r.stages[1]).C, '', 'ARG X is out of scope in an unrelated stage');
    // BuildKit copies the parent stage's build args into a stage built FROM it (docs: "Arguments and
    // variables are inherited from parent stages").
    assert.equal(envOf(r.stages[2]).D, '2', 'ARG X is inherited through FROM <stage>');
    assert.equal(envOf(r.stages[2]).B, '2', 'ENV is inherited through FROM <stage>');
  });

  it('--build-arg overrides the default; the default is expanded', () => {
    const text = 'FROM scratch\nENV BASE=/opt\nARG DIR=$BASE/app\nWORKDIR $DIR\n';
    assert.deepEqual(instructionAt(checkDockerfile(text), 0, 2), {
      ...instructionAt(checkDockerfile(text), 0, 2),
      path: '/opt/app',
    });
    const r = checkDockerfile(text, { buildArgs: { DIR: '/srv' } });
    const wd = instructionAt(r, 0, 2);
    assert.equal(wd.kind === 'workdir' ? wd.path : undefined, '/srv');
  });

  it('an ARG without value and without --build-arg stays unset but declared (no UndefinedVar)', () => {
    const r = checkDockerfile('FROM scratch\nARG X\nENV A=${X:-dflt}\n');
    assert.equal(envOf(r.stages[0]).A, 'dflt');
    assert.ok(!codes(r).includes('UndefinedVar'));
  });

  it('ARGs in one instruction see the previous ones', () => {
    const r = checkDockerfile('FROM scratch\nARG A=1 B=${A}2\nENV X=$B\n');
    assert.equal(envOf(r.stages[0]).X, '12');
  });
});

describe('ENV and ARG', () => {
  it('ENV wins over ARG of the same name, whichever comes first and whatever --build-arg says', () => {
    const before = checkDockerfile('FROM scratch\nARG X=arg\nENV X=env\nENV Y=$X\n', {
      buildArgs: { X: 'cli' },
    });
    assert.equal(envOf(before.stages[0]).Y, 'env');
    const after = checkDockerfile('FROM scratch\nENV X=env\nARG X=arg\nENV Y=$X\n');
    assert.equal(envOf(after.stages[0]).Y, 'env');
  });

  it('ENV pairs are expanded with the env before the instruction', () => {
    const r = checkDockerfile('FROM scratch\nENV A=1\nENV A=2 B=$A\n');
    assert.equal(envOf(r.stages[0]).B, '1');
  });
});

describe('predefined platform args', () => {
  const platforms = {
    targetPlatform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
    buildPlatform: { os: 'linux', architecture: 'amd64', variant: '' },
  };
  it('are in the global scope for FROM, and need ARG inside a stage', () => {
    const r = checkDockerfile(
      'FROM --platform=$BUILDPLATFORM scratch AS a\nENV BEFORE=$TARGETARCH\nARG TARGETOS TARGETARCH TARGETVARIANT TARGETPLATFORM BUILDARCH\nENV T=$TARGETPLATFORM O=$TARGETOS A=$TARGETARCH V=$TARGETVARIANT B=$BUILDARCH\n',
      platforms,
    );
    assert.equal(r.stages[0]!.platform, 'linux/amd64');
    assert.deepEqual(envOf(r.stages[0]), {
      BEFORE: '',
      T: 'linux/arm64/v8',
      O: 'linux',
      A: 'arm64',
      V: 'v8',
      B: 'amd64',
    });
  });

  it('default to linux/amd64', () => {
    const r = checkDockerfile('FROM scratch\nARG TARGETPLATFORM\nENV P=$TARGETPLATFORM\n');
    assert.equal(envOf(r.stages[0]).P, 'linux/amd64');
  });
});

describe('proxy args', () => {
  it('reach RUN without a declaration, flagged out of history, never reported unused', () => {
    const r = checkDockerfile('FROM scratch\nARG A=1\nRUN true\nENV P=$HTTP_PROXY\n', {
      buildArgs: { HTTP_PROXY: 'http://proxy:3128', no_proxy: 'localhost' },
    });
    assert.deepEqual(argsAt(r, 0, 1), [
      { name: 'A', value: '1', inHistory: true },
      { name: 'HTTP_PROXY', value: 'http://proxy:3128', inHistory: false },
      { name: 'no_proxy', value: 'localhost', inHistory: false },
    ]);
    assert.equal(envOf(r.stages[0]).P, '', 'not usable in words without ARG');
    assert.ok(!codes(r).includes('UnusedBuildArg'));
  });
});

describe('which words are expanded', () => {
  it('RUN/CMD/ENTRYPOINT/HEALTHCHECK/ONBUILD/SHELL keep $VAR; LABEL/USER/STOPSIGNAL/VOLUME/COPY expand', () => {
    const r = checkDockerfile(
      [
        'FROM scratch',
        'ARG V=x',
        'RUN echo $V',
        'CMD ["echo", "$V"]',
        'ENTRYPOINT echo $V',
        'HEALTHCHECK CMD echo $V',
        'ONBUILD RUN echo $V',
        'SHELL ["/bin/sh", "-c", "$V"]',
        'LABEL "$V"="$V y"',
        'USER $V:$V',
        'STOPSIGNAL SIG${V}CPU',
        'VOLUME ["/$V"]',
        'COPY --chown=$V --chmod=u+$V $V /$V/',
        // STOPSIGNAL, --chmod and --checksum are validated after expansion: the values must be valid.
        'ADD --checksum=sha256:${V:+0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef} https://example.com/$V /$V',
      ].join('\n'),
    );
    const at = (i: number) => instructionAt(r, 0, i);
    const run = at(1);
    assert.deepEqual(run.kind === 'run' ? run.command.args : undefined, ['echo $V']);
    const cmd = at(2);
    assert.deepEqual(cmd.kind === 'cmd' ? cmd.command.args : undefined, ['echo', '$V']);
    const ep = at(3);
    assert.deepEqual(ep.kind === 'entrypoint' ? ep.command.args : undefined, ['echo $V']);
    const hc = at(4);
    assert.deepEqual(hc.kind === 'healthcheck' && hc.health.kind === 'cmd' ? hc.health.test : undefined, [
      'CMD-SHELL',
      'echo $V',
    ]);
    const ob = at(5);
    assert.equal(ob.kind === 'onbuild' ? ob.expression : undefined, 'RUN echo $V');
    const sh = at(6);
    assert.deepEqual(sh.kind === 'shell' ? sh.shell : undefined, ['/bin/sh', '-c', '$V']);
    const label = at(7);
    assert.deepEqual(label.kind === 'label' ? label.labels : undefined, [
      { key: 'x', value: 'x y', legacy: false },
    ]);
    const user = at(8);
    assert.equal(user.kind === 'user' ? user.user : undefined, 'x:x');
    const sig = at(9);
    assert.equal(sig.kind === 'stopsignal' ? sig.signal : undefined, 'SIGxCPU');
    const vol = at(10);
    assert.deepEqual(vol.kind === 'volume' ? vol.volumes : undefined, ['/x']);
    const copy = at(11);
    assert.deepEqual(
      copy.kind === 'copy'
        ? [copy.chown, copy.chmod, copy.sources.sourcePaths, copy.sources.destPath]
        : undefined,
      ['x', 'u+x', ['x'], '/x/'],
    );
    const add = at(12);
    assert.equal(
      add.kind === 'add' ? add.checksum : undefined,
      'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
    );
    for (const i of [1, 7, 8, 9, 10, 11, 12]) {
      assert.deepEqual(
        argsAt(r, 0, i),
        [{ name: 'V', value: 'x', inHistory: true }],
        `instruction ${i} uses V`,
      );
    }
    for (const i of [2, 3, 4, 5, 6]) assert.deepEqual(argsAt(r, 0, i), [], `instruction ${i} uses no args`);
  });

  it('EXPOSE splits words, WORKDIR and ENV do not', () => {
    const r = checkDockerfile('FROM scratch\nARG P="80 443/udp"\nEXPOSE $P\nWORKDIR /$P\nENV E=$P\n');
    const expose = instructionAt(r, 0, 1);
    assert.deepEqual(expose.kind === 'expose' ? expose.ports : undefined, ['80/tcp', '443/udp']);
    const wd = instructionAt(r, 0, 2);
    assert.equal(wd.kind === 'workdir' ? wd.path : undefined, '/80 443/udp');
    assert.equal(envOf(r.stages[0]).E, '80 443/udp');
  });

  it('RUN --mount option values are expanded and re-validated', () => {
    const r = checkDockerfile(
      'FROM scratch\nARG T=/cache M=0700\nRUN --mount=type=cache,target=$T,mode=$M true\n',
    );
    const run = instructionAt(r, 0, 1);
    assert.deepEqual(run.kind === 'run' ? run.mounts : undefined, [
      {
        type: 'cache',
        target: '/cache',
        id: '/cache',
        sharing: 'shared',
        readOnly: false,
        mode: 0o700,
        uid: 0,
        gid: 0,
      },
    ]);
    const bad = thrown(() =>
      checkDockerfile('FROM scratch\nARG M=9\nRUN --mount=type=cache,target=/c,mode=$M true\n'),
    );
    assert.equal(bad.code, ErrorCode.DockerfileInstruction);
    assert.match(bad.message, /invalid value 9 for mode/);
  });

  it('COPY heredoc bodies are expanded unless the delimiter is quoted (quotes kept)', () => {
    const r = checkDockerfile('FROM scratch\nARG N=kiln\nCOPY <<EOF <<"RAW" /\n"hi" $N\nEOF\n$N\nRAW\n');
    const copy = instructionAt(r, 0, 1);
    assert.deepEqual(copy.kind === 'copy' ? copy.sources.sourceContents.map((c) => c.data) : undefined, [
      '"hi" kiln\n',
      '$N\n',
    ]);
  });

  it('ADD heredocs work like COPY ones: expanded unless quoted, with flags, one source per heredoc', () => {
    const r = checkDockerfile(
      "FROM scratch\nARG N=kiln\nADD --chmod=755 <<EOF <<'RAW' /d/\n$N\nEOF\n$N\nRAW\n",
    );
    const add = instructionAt(r, 0, 1);
    assert.equal(add.kind, 'add');
    if (add.kind !== 'add') return;
    assert.equal(add.chmod, '755');
    assert.equal(add.sources.destPath, '/d/');
    assert.deepEqual(
      add.sources.sourceContents.map((c) => [c.path, c.data]),
      [
        ['EOF', 'kiln\n'],
        ['RAW', '$N\n'],
      ],
    );
  });

  it('expansion errors are located at the instruction', () => {
    const err = thrown(() => checkDockerfile('FROM scratch\n\nENV A="${X:?must be set}"\n')) as {
      code: string;
      location?: { range: { start: { line: number } } };
    };
    assert.equal(err.code, ErrorCode.Expansion);
    assert.equal(err.location?.range.start.line, 3);
  });
});

describe('unused build args and undefined FROM args', () => {
  it('reports --build-arg values no reachable ARG consumed', () => {
    const text = 'FROM scratch AS other\nARG ONLY_OTHER\nFROM scratch AS final\nARG USED\n';
    const r = checkDockerfile(text, {
      buildArgs: { USED: '1', ONLY_OTHER: '2', NOBODY: '3', BUILDKIT_INLINE_CACHE: '1' },
    });
    const unused = r.diagnostics.filter((d) => d.code === 'UnusedBuildArg').map((d) => d.message);
    assert.deepEqual(unused, [
      'Build argument "NOBODY" was not consumed by any ARG instruction',
      'Build argument "ONLY_OTHER" was not consumed by any ARG instruction',
    ]);
    const other = checkDockerfile(text, { target: 'other', buildArgs: { ONLY_OTHER: '2' } });
    assert.ok(!codes(other).includes('UnusedBuildArg'));
  });

  it('UndefinedArgInFrom for FROM variables that no meta ARG declares', () => {
    const r = checkDockerfile(
      'ARG IMAGE\nFROM ${IMAGR:-alpine}\nFROM ${IMAGE:-busybox}\nFROM $TARGETARCH/busybox\n',
    );
    const found = r.diagnostics.filter((d) => d.code === 'UndefinedArgInFrom');
    assert.equal(found.length, 1);
    assert.equal(found[0]!.message, "FROM argument 'IMAGR' is not declared (did you mean IMAGE?)");
    assert.equal(found[0]!.range?.start.line, 2);
  });
});
