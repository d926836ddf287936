import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chrootScript, chrootUnshareArgs } from '../../src/executor/chroot-script.js';
import { filterResolvConf, renderEtcFiles } from '../../src/executor/etc-files.js';
import { lineSink } from '../../src/executor/lines.js';
import { runtimeFailure } from '../../src/executor/oci.js';
import { ociSpec } from '../../src/executor/oci-spec.js';
import type { PreparedStep } from '../../src/executor/prepare.js';
import { shellQuote } from '../../src/executor/shell-quote.js';
import { envHandOver } from '../../src/executor/step-env.js';

const step: PreparedStep = {
  root: '/r',
  user: { uid: 1000, gid: 1000, additionalGids: [2000], home: '/home/app' },
  env: ['PATH=/bin', "Q=it's"],
  cwd: '/w',
  tempDir: '/t',
  dev: '/r/dev',
  proc: '/r/proc',
  sys: '/r/sys',
  etc: [['/t/hosts', '/r/etc/hosts', '/etc/hosts']],
  mounts: [
    { kind: 'bind', source: '/src', hostTarget: '/r/mnt', readonly: true, target: '/mnt' },
    { kind: 'tmpfs', hostTarget: '/r/tmp', sizeBytes: 4096, mode: 0o1777, target: '/tmp' },
  ],
  created: [],
  cleanup: async () => [],
};

describe('line splitting', () => {
  it('splits across chunks and multibyte characters, flushes the tail', () => {
    const lines: string[] = [];
    const sink = lineSink((l) => lines.push(l));
    const bytes = Buffer.from('a\r\nbé\nc');
    sink.write(bytes.subarray(0, 5));
    sink.write(bytes.subarray(5));
    sink.end();
    assert.deepEqual(lines, ['a', 'bé', 'c']);
  });
});

describe('shellQuote', () => {
  it('quotes single quotes and refuses NUL', () => {
    assert.equal(shellQuote("a'b"), `'a'\\''b'`);
    assert.throws(() => shellQuote('a\0b'), { code: 'E_EXECUTOR' });
  });
});

describe('etc files', () => {
  it('drops loopback resolvers only without the host network', () => {
    const text = 'search x\nnameserver 127.0.0.53\nnameserver 10.0.0.1\n';
    assert.equal(filterResolvConf(text, true), text);
    assert.equal(filterResolvConf(text, false), 'search x\nnameserver 10.0.0.1\n');
    assert.match(filterResolvConf('nameserver 127.0.0.1\n', false), /nameserver 8\.8\.8\.8/);
  });
  it('renders hosts with the hostname and extra hosts', async () => {
    const f = await renderEtcFiles({
      hostname: 'h',
      extraHosts: ['10.1.1.1 db'],
      resolvConf: 'nameserver 1.1.1.1\n',
      hostNetwork: false,
    });
    assert.equal(f.hosts, '127.0.0.1\tlocalhost h\n::1\tlocalhost ip6-localhost ip6-loopback\n10.1.1.1 db\n');
    assert.equal(f.hostname, 'h\n');
  });
});

describe('chroot script', () => {
  const tools = {
    sh: '/bin/sh',
    unshare: '/usr/bin/unshare',
    mount: '/bin/mount',
    setpriv: '/usr/bin/setpriv',
    env: '/usr/bin/env',
    ip: '/sbin/ip',
    hostname: '/bin/hostname',
  };
  it('mounts, drops to the user and chroots last', () => {
    const s = chrootScript({
      step,
      tools,
      args: ['sh', '-c', 'echo hi'],
      network: 'none',
      hostname: 'h',
      proc: 'fresh',
      setgroups: true,
      env: envHandOver(step.env),
    });
    assert.match(s, /-t proc .* '\/r\/proc'/);
    assert.match(s, /'\/sbin\/ip' link set lo up/);
    assert.match(s, /--rbind '\/src' '\/r\/mnt'\n.*remount,bind,ro '\/r\/mnt'/);
    assert.match(s, /size=4096,mode=1777/);
    const last = s.trim().split('\n').at(-1)!;
    assert.match(last, /^exec '\/usr\/bin\/setpriv' '--bounding-set=-all,\+chown/);
    assert.match(
      last,
      /'--regid=1000' '--groups=2000' '--' '\/usr\/bin\/env' '-i' '-S' 'PATH="\$\{__kiln_step_env_0\}" Q="\$\{__kiln_step_env_1\}"'/,
    );
    // No environment value is in the script (it becomes a command line).
    assert.doesNotMatch(s, /it'\\''s|=\/bin/);
    assert.match(last, /'--root=\/r' '--wd=\/w' '--setuid=1000' '--' 'sh' '-c' 'echo hi'$/);
    assert.ok(chrootUnshareArgs('none').includes('--net'));
    assert.ok(!chrootUnshareArgs('host').includes('--net'));
  });
  it('binds the host /proc in no-pid-sandbox mode and keeps groups without setgroups', () => {
    const s = chrootScript({
      step,
      tools,
      args: ['true'],
      network: 'host',
      hostname: 'h',
      proc: 'bind-host',
      setgroups: false,
      env: envHandOver(step.env),
    });
    assert.match(s, /--rbind \/proc '\/r\/proc'/);
    assert.match(s, /'--keep-groups'/);
    assert.doesNotMatch(s, /link set lo up/);
  });
});

describe('OCI spec', () => {
  it('has no user namespace or cgroups, BuildKit-like caps, masks, seccomp', () => {
    const spec = ociSpec({
      step,
      args: ['true'],
      hostname: 'h',
      network: 'none',
      gidCount: 65537,
      arch: 'x64',
      seccomp: true,
    });
    assert.deepEqual(
      spec.linux.namespaces.map((n) => n.type),
      ['pid', 'ipc', 'uts', 'mount', 'network'],
    );
    assert.ok(!('resources' in spec.linux));
    assert.equal(spec.process.noNewPrivileges, true);
    assert.deepEqual(spec.process.user, { uid: 1000, gid: 1000, additionalGids: [2000] });
    assert.deepEqual(spec.process.capabilities.effective, []);
    assert.ok(spec.process.capabilities.bounding.includes('CAP_CHOWN'));
    assert.ok(!spec.process.capabilities.bounding.includes('CAP_SYS_ADMIN'));
    assert.ok(spec.linux.maskedPaths.includes('/proc/kcore'));
    assert.ok(spec.linux.readonlyPaths.includes('/proc/sys'));
    assert.ok(spec.linux.seccomp!.syscalls[0]!.names.includes('kexec_load'));
    assert.deepEqual(spec.linux.seccomp!.architectures, [
      'SCMP_ARCH_X86_64',
      'SCMP_ARCH_X86',
      'SCMP_ARCH_X32',
    ]);
    const sys = spec.mounts.find((m) => m.destination === '/sys')!;
    assert.ok(sys.options.includes('ro'));
    assert.deepEqual(spec.mounts.find((m) => m.destination === '/mnt')!.options, ['rbind', 'ro']);
    assert.ok(spec.mounts.find((m) => m.destination === '/dev/pts')!.options.includes('gid=5'));
    const single = ociSpec({
      step,
      args: ['true'],
      hostname: 'h',
      network: 'host',
      gidCount: 1,
      arch: 'x64',
      seccomp: false,
    });
    assert.ok(!single.mounts.find((m) => m.destination === '/dev/pts')!.options.includes('gid=5'));
    assert.equal(single.linux.seccomp, undefined);
    assert.equal(single.linux.namespaces.length, 4);
  });
  it('reads the runtime error from its JSON log', () => {
    assert.equal(runtimeFailure(''), undefined);
    assert.equal(runtimeFailure('{"level":"info","msg":"x"}\n'), undefined);
    assert.equal(runtimeFailure('garbage\n{"level":"error","msg":"boom"}\n'), 'boom');
  });
});
