import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ExecOp } from '../../src/plan/index.js';
import { opsOfKind, plan } from './plan-helpers.js';

function execs(text: string): ExecOp[] {
  return opsOfKind(plan(text), 'exec');
}

describe('RUN argv', () => {
  it('shell form goes to /bin/sh -c, exec form runs as is', () => {
    const [shell, exec] = execs('FROM scratch\nRUN echo "a  b" && true\nRUN ["/bin/echo", "x"]\n');
    assert.deepEqual(shell!.argv, ['/bin/sh', '-c', 'echo "a  b" && true']);
    assert.deepEqual(exec!.argv, ['/bin/echo', 'x']);
  });

  it('uses the SHELL of the stage, and of a base image', () => {
    const [r] = execs('FROM scratch\nSHELL ["/bin/bash", "-eux", "-c"]\nRUN ls\n');
    assert.deepEqual(r!.argv, ['/bin/bash', '-eux', '-c', 'ls']);
  });

  it('a lone heredoc is piped to the shell as the command text', () => {
    const [r] = execs('FROM scratch\nRUN <<EOF\necho one\necho two\nEOF\n');
    assert.deepEqual(r!.argv, ['/bin/sh', '-c', 'echo one\necho two\n']);
    assert.equal(r!.mounts.length, 0);
    assert.match(r!.name, /\(echo one\.\.\.\)$/);
  });

  it('a lone heredoc with a shebang runs as a file from /dev/pipes (mode 0755)', () => {
    const [r] = execs('FROM scratch\nRUN <<SCRIPT\n#!/usr/bin/env python3\nprint(1)\nSCRIPT\n');
    assert.deepEqual(r!.argv, ['/bin/sh', '-c', '/dev/pipes/SCRIPT']);
    assert.deepEqual(r!.mounts, [
      {
        type: 'inline',
        target: '/dev/pipes/',
        files: [{ path: 'SCRIPT', data: '#!/usr/bin/env python3\nprint(1)\n', mode: 0o755 }],
      },
    ]);
  });

  it('<<- strips leading tabs (also before the shebang check)', () => {
    const [piped, script] = execs(
      'FROM scratch\nRUN <<-EOF\n\techo a\n\tEOF\nRUN <<-EOF\n\t#!/bin/sh\n\techo b\n\tEOF\n',
    );
    assert.deepEqual(piped!.argv, ['/bin/sh', '-c', 'echo a\n']);
    assert.deepEqual(script!.argv, ['/bin/sh', '-c', '/dev/pipes/EOF']);
    const inline = script!.mounts[0];
    assert.equal(inline?.type === 'inline' && inline.files[0]?.data, '#!/bin/sh\necho b\n');
  });

  it('quoted delimiters are still piped (BuildKit ignores the expand flag for RUN)', () => {
    const [r] = execs("FROM scratch\nRUN <<'EOF'\necho $HOME\nEOF\n");
    assert.deepEqual(r!.argv, ['/bin/sh', '-c', 'echo $HOME\n']);
  });

  it('other heredoc uses are handed to the shell with the bodies appended', () => {
    const [r] = execs('FROM scratch\nRUN python3 <<EOF > /out\nprint(2)\nEOF\n');
    assert.deepEqual(r!.argv, ['/bin/sh', '-c', 'python3 <<EOF > /out\nprint(2)\nEOF']);
    const [two] = execs('FROM scratch\nRUN cat <<A <<B\na\nA\nb\nB\n');
    assert.deepEqual(two!.argv, ['/bin/sh', '-c', 'cat <<A <<B\na\nA\nb\nB']);
    const [withCommand] = execs('FROM scratch\nRUN <<EOF bash\necho hi\nEOF\n');
    assert.deepEqual(withCommand!.argv, ['/bin/sh', '-c', '<<EOF bash\necho hi\nEOF']);
  });

  it('the heredoc RUN history shows the resulting argv', () => {
    const p = plan('FROM scratch\nRUN <<EOF\n#!/bin/sh\nx\nEOF\n');
    assert.equal(p.image.history?.at(-1)?.created_by, 'RUN /bin/sh -c /dev/pipes/EOF # buildkit');
  });
});

describe('RUN process settings', () => {
  it('env = image env then ARG/ENV changes, in BuildKit order; ENV wins over a later ARG', () => {
    const [r] = execs('FROM scratch\nENV B=1\nARG A=x\nARG B=2\nENV C=3\nRUN env\n');
    assert.deepEqual(r!.env, [
      'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      'B=1',
      'A=x',
      'C=3',
    ]);
  });

  it('cwd, user, network, security, devices', () => {
    const [r] = execs(
      'FROM scratch\nWORKDIR /w\nUSER nobody\nRUN --network=none --security=insecure --device=nvidia.com/gpu=all true\n',
    );
    assert.equal(r!.cwd, '/w');
    assert.equal(r!.user, 'nobody');
    assert.equal(r!.network, 'none');
    assert.equal(r!.security, 'insecure');
    assert.equal(r!.devices.length, 1);
    const [d] = execs('FROM scratch\nRUN true\n');
    assert.equal(d!.cwd, '/');
    assert.equal(d!.user, '');
    assert.equal(d!.network, 'default');
    assert.equal(d!.security, 'sandbox');
  });

  it('mounts: relative targets against the workdir, from= stages, context binds, all options kept', () => {
    const p = plan(
      [
        'FROM scratch AS tools',
        'FROM scratch',
        'WORKDIR /src',
        'RUN --mount=type=bind,from=tools,source=/bin,target=tools \\',
        '    --mount=type=bind,target=/ctx,source=sub,rw \\',
        '    --mount=type=cache,id=gomod,target=/go/pkg/mod,sharing=locked,mode=0700,uid=1,gid=2 \\',
        '    --mount=type=tmpfs,target=/tmp,size=64m \\',
        '    --mount=type=secret,id=token,env=TOKEN,required \\',
        '    --mount=type=ssh \\',
        '    make',
        '',
      ].join('\n'),
    );
    const [r] = opsOfKind(p, 'exec');
    const tools = p.stages[0]!.result;
    assert.deepEqual(r!.mounts[0], {
      type: 'bind',
      target: '/src/tools',
      from: { kind: 'op', op: tools },
      sourcePath: '/bin',
      readOnly: true,
    });
    const bind = r!.mounts[1]!;
    assert.equal(bind.type === 'bind' && bind.from.kind, 'context');
    assert.equal(bind.type === 'bind' && bind.readOnly, false);
    assert.equal(bind.type === 'bind' && bind.sourcePath, '/sub');
    assert.deepEqual(r!.mounts[2], {
      type: 'cache',
      target: '/go/pkg/mod',
      id: 'gomod',
      sharing: 'locked',
      readOnly: false,
      mode: 0o700,
      uid: 1,
      gid: 2,
    });
    assert.deepEqual(r!.mounts[3], { type: 'tmpfs', target: '/tmp', sizeBytes: 64 * 1024 * 1024 });
    const secret = r!.mounts[4]!;
    assert.equal(secret.type, 'secret');
    assert.equal(secret.type === 'secret' && secret.env, 'TOKEN');
    assert.equal(secret.type === 'secret' && secret.required, true);
    assert.equal(r!.mounts[5]!.type, 'ssh');
    assert.ok(r!.inputs.includes(tools), 'a mount source is an input of the exec');
    assert.ok(p.contextSelections.some((s) => s.patterns.includes('sub')));
  });
});
