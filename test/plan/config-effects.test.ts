import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isKilnError } from '../../src/errors.js';
import { DEFAULT_PATH_ENV } from '../../src/plan/index.js';
import { imageConfig, plan } from './plan-helpers.js';

const PATH = `PATH=${DEFAULT_PATH_ENV}`;

describe('image config evolution', () => {
  it('scratch starts with the default PATH and workdir /', () => {
    const p = plan('FROM scratch\nCOPY a /a\n');
    assert.deepEqual(p.image.config?.Env, [PATH]);
    assert.equal(p.image.config?.WorkingDir, '/');
    assert.equal(p.image.os, 'linux');
    assert.equal(p.image.architecture, 'amd64');
    assert.equal(p.image.rootfs.type, 'layers');
  });

  it('adds PATH to an image without one, keeps an image PATH', () => {
    const noPath = plan('FROM img\n', { images: { img: imageConfig({ Env: ['A=1'] }) } });
    assert.deepEqual(noPath.image.config?.Env, ['A=1', PATH]);
    const withPath = plan('FROM img\n', { images: { img: imageConfig({ Env: ['PATH=/x'] }) } });
    assert.deepEqual(withPath.image.config?.Env, ['PATH=/x']);
  });

  it('ENV replaces in place and appends new keys; expands against earlier values', () => {
    const p = plan('FROM scratch\nENV A=1 B=2\nENV A=3 C=$B-x\n');
    assert.deepEqual(p.image.config?.Env, [PATH, 'A=3', 'B=2', 'C=2-x']);
  });

  it('LABEL merges with base labels; --label wins on the target only', () => {
    const p = plan('FROM img AS a\nLABEL x=1 y=2\nFROM a\nLABEL y=3\n', {
      images: { img: imageConfig({ Labels: { base: 'b' } }) },
      labels: { x: 'cli' },
    });
    assert.deepEqual(p.image.config?.Labels, { base: 'b', x: 'cli', y: '3' });
    assert.deepEqual(p.stages[0]!.image.config?.Labels, { base: 'b', x: '1', y: '2' });
  });

  it('EXPOSE and VOLUME add keys with {} values', () => {
    const p = plan('FROM scratch\nEXPOSE 80 53/udp 8000-8001\nVOLUME ["/data", "/logs"]\nVOLUME /more\n');
    assert.deepEqual(p.image.config?.ExposedPorts, {
      '80/tcp': {},
      '53/udp': {},
      '8000/tcp': {},
      '8001/tcp': {},
    });
    assert.deepEqual(p.image.config?.Volumes, { '/data': {}, '/logs': {}, '/more': {} });
  });

  it('USER and STOPSIGNAL set their fields; an invalid signal fails', () => {
    const p = plan('FROM scratch\nUSER app:app\nSTOPSIGNAL SIGQUIT\n');
    assert.equal(p.image.config?.User, 'app:app');
    assert.equal(p.image.config?.StopSignal, 'SIGQUIT');
    assert.equal(plan('FROM scratch\nSTOPSIGNAL 9\n').image.config?.StopSignal, '9');
    assert.equal(plan('FROM scratch\nSTOPSIGNAL RTMIN+3\n').image.config?.StopSignal, 'RTMIN+3');
    assert.throws(
      () => plan('FROM scratch\nSTOPSIGNAL SIGNOPE\n'),
      (e) => isKilnError(e) && e.code === 'E_DOCKERFILE_INSTRUCTION',
    );
  });

  it('WORKDIR resolves relative paths against the previous one, across stages too', () => {
    const p = plan('FROM scratch AS a\nWORKDIR /a\nWORKDIR b\nWORKDIR ../c/./d/\nFROM a\nWORKDIR e\n');
    assert.equal(p.stages[0]!.image.config?.WorkingDir, '/a/c/d');
    assert.equal(p.image.config?.WorkingDir, '/a/c/d/e');
  });

  it('WORKDIR relative to an image workdir, and relative on an image without one', () => {
    assert.equal(
      plan('FROM img\nWORKDIR sub\n', { images: { img: imageConfig({ WorkingDir: '/srv' }) } }).image.config
        ?.WorkingDir,
      '/srv/sub',
    );
    assert.equal(
      plan('FROM img\nWORKDIR sub\n', { images: { img: imageConfig({}) } }).image.config?.WorkingDir,
      '/sub',
    );
  });

  it('CMD shell form uses the shell and sets ArgsEscaped; exec form kept', () => {
    const p = plan('FROM scratch\nCMD echo hi\n');
    assert.deepEqual(p.image.config?.Cmd, ['/bin/sh', '-c', 'echo hi']);
    assert.equal(p.image.config?.ArgsEscaped, true);
    assert.deepEqual(plan('FROM scratch\nCMD ["a", "b"]\n').image.config?.Cmd, ['a', 'b']);
  });

  it('SHELL changes how later shell forms run', () => {
    const p = plan('FROM scratch\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nENTRYPOINT run me\n');
    assert.deepEqual(p.image.config?.Shell, ['/bin/bash', '-o', 'pipefail', '-c']);
    assert.deepEqual(p.image.config?.Entrypoint, ['/bin/bash', '-o', 'pipefail', '-c', 'run me']);
  });

  it('ENTRYPOINT resets an inherited CMD (image or base stage)', () => {
    const img = { img: imageConfig({ Cmd: ['sh'], Entrypoint: ['/init'] }) };
    const p = plan('FROM img\nENTRYPOINT ["/app"]\n', { images: img });
    assert.deepEqual(p.image.config?.Entrypoint, ['/app']);
    assert.equal(p.image.config?.Cmd, undefined);
    const staged = plan('FROM scratch AS a\nCMD ["x"]\nFROM a\nENTRYPOINT ["/app"]\n');
    assert.equal(staged.image.config?.Cmd, undefined);
  });

  it('CMD in the same stage survives a later ENTRYPOINT; CMD after ENTRYPOINT stays', () => {
    const before = plan('FROM scratch\nCMD ["x"]\nENTRYPOINT ["/app"]\n');
    assert.deepEqual(before.image.config?.Cmd, ['x']);
    const after = plan('FROM scratch\nENTRYPOINT ["/app"]\nCMD ["y"]\n');
    assert.deepEqual(after.image.config?.Cmd, ['y']);
    assert.deepEqual(after.image.config?.Entrypoint, ['/app']);
  });

  it('an inherited CMD without ENTRYPOINT stays', () => {
    const p = plan('FROM img\nENV A=1\n', { images: { img: imageConfig({ Cmd: ['sh'] }) } });
    assert.deepEqual(p.image.config?.Cmd, ['sh']);
  });

  it('HEALTHCHECK stores durations in nanoseconds, zero fields omitted; NONE disables', () => {
    const p = plan(
      'FROM scratch\nHEALTHCHECK --interval=30s --timeout=1m30s --retries=3 CMD curl -f http://x/\n',
    );
    assert.deepEqual(p.image.config?.Healthcheck, {
      Test: ['CMD-SHELL', 'curl -f http://x/'],
      Interval: 30e9,
      Timeout: 90e9,
      Retries: 3,
    });
    assert.deepEqual(plan('FROM scratch\nHEALTHCHECK NONE\n').image.config?.Healthcheck, { Test: ['NONE'] });
  });

  it('ONBUILD stores the trigger text; ARG leaves the config alone', () => {
    const p = plan('FROM scratch\nARG X=1\nONBUILD RUN echo $X\nONBUILD COPY a /b\n');
    assert.deepEqual(p.image.config?.OnBuild, ['RUN echo $X', 'COPY a /b']);
    assert.deepEqual(p.image.config?.Env, [PATH]);
  });

  it('MAINTAINER sets the author', () => {
    assert.equal(plan('FROM scratch\nMAINTAINER Jane <j@x>\n').image.author, 'Jane <j@x>');
  });

  it('the stage platform goes into os/architecture/variant', () => {
    const p = plan('FROM --platform=linux/arm/v6 scratch\n');
    assert.equal(p.image.architecture, 'arm');
    assert.equal(p.image.variant, 'v6');
    const q = plan('FROM scratch\n', { platform: { os: 'linux', architecture: 'arm64', variant: '' } });
    assert.equal(q.image.architecture, 'arm64');
    assert.equal(q.image.variant, undefined);
  });

  it('base image triggers run first and are cleared; stage triggers fire one level down', () => {
    const img = {
      img: imageConfig({ OnBuild: ['ENV FROM_TRIGGER=1', 'RUN echo trig'], Env: ['HOME=/root'] }),
    };
    const p = plan('FROM img\nRUN echo own\n', { images: img });
    assert.equal(p.image.config?.OnBuild, undefined);
    assert.ok(p.image.config?.Env?.includes('FROM_TRIGGER=1'));
    const steps = p.stages[0]!.steps;
    assert.deepEqual(
      steps.map((s) => [s.instruction, s.onbuild]),
      [
        ['env', true],
        ['run', true],
        ['run', false],
      ],
    );
    const staged = plan('FROM scratch AS a\nONBUILD ENV T=1\nFROM a AS b\nFROM b\n');
    assert.equal(staged.stages.find((s) => s.index === 1)!.image.config?.Env?.includes('T=1'), true);
    assert.equal(staged.image.config?.Env?.includes('T=1'), true, 'config env is inherited');
    assert.equal(staged.stages.find((s) => s.index === 2)!.steps.length, 0, 'no second-level trigger');
    assert.equal(staged.stages.find((s) => s.index === 1)!.image.config?.OnBuild, undefined);
  });

  it('VOLUME with an empty value fails', () => {
    assert.throws(
      () => plan('FROM scratch\nVOLUME [""]\n'),
      (e) => isKilnError(e) && /empty string/.test(e.message),
    );
  });
});
