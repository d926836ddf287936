/**
 * The rootless engine on a real distribution: as the unprivileged `kilntest` (subordinate ids), unpack a
 * Debian bookworm minbase rootfs (scripts/make-debian-rootfs.sh, cached), run one RUN step that installs
 * a package with apt (which drops to the `_apt` user, uid 42) and makes every kind of change the layer
 * format has to express, then read the layer with GNU tar: package files owned by root with their
 * modes, `_apt`'s directories owned by 42, chown/setuid/sticky/hardlink/FIFO/whiteout/opaque entries as
 * BuildKit writes them, and nothing the executor injected (/etc/hosts, resolv.conf, hostname, /proc,
 * /sys, /dev).
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { canRunAsTestUser, TEST_USER, TEST_USER_NO_SUBIDS } from '../helpers/cli.js';
import { repoRoot } from '../helpers/paths.js';

const run = promisify(execFile);

const MIRROR = 'http://deb.debian.org/debian';
/** A small package with a binary, docs, a man page and an info page. */
const PACKAGE = 'hello';

interface StepReport {
  readonly error?: string;
  readonly mapping: string;
  readonly ownership: string;
  readonly ownerEmulation: string;
  readonly snapshotter: string;
  readonly isolation: string;
  readonly exitCode: number;
  readonly stdout: readonly string[];
  readonly stderr: readonly string[];
  readonly diffID: string;
}

const SCRIPT = [
  'set -e',
  `apt-get update -q`,
  `apt-get install -y -q --no-install-recommends ${PACKAGE}`,
  'rm -rf /var/lib/apt/lists/*_Packages /var/lib/apt/lists/*_InRelease /var/cache/apt/*.bin',
  'hello -g kiln-hello',
  'mkdir -p /data',
  'echo hello > /data/owned && chown 1000:1000 /data/owned',
  'echo suid > /data/suid && chmod 4755 /data/suid',
  'mkdir /data/sticky && chmod 1777 /data/sticky',
  'echo linked > /data/a && ln /data/a /data/b',
  'mkfifo /data/fifo',
  'rm /etc/motd',
  'rm -rf /usr/share/doc/bash && mkdir /usr/share/doc/bash && echo new > /usr/share/doc/bash/new',
  'echo step-done',
].join('\n');

/** Why the test cannot run here, or undefined; makes (or reuses) the cached Debian base tar. */
async function prerequisites(): Promise<{ skip: string } | { tar: string }> {
  if (process.getuid?.() !== 0) return { skip: 'needs root (debootstrap, runuser)' };
  if (!canRunAsTestUser(TEST_USER))
    return { skip: `needs the test user ${TEST_USER} (scripts/setup-host.sh)` };
  try {
    const { stdout } = await run('bash', [join(repoRoot(), 'scripts', 'make-debian-rootfs.sh')], {
      timeout: 900_000,
    });
    const tar = stdout.trim().split('\n').pop() ?? '';
    // apt-get update needs the mirror too (the base may be cached from an earlier, online run).
    const reachable = await fetch(`${MIRROR}/dists/bookworm/Release`, {
      method: 'HEAD',
      signal: AbortSignal.timeout(15_000),
    }).then(
      (r) => r.ok,
      () => false,
    );
    if (!reachable) return { skip: `the Debian mirror ${MIRROR} is unreachable` };
    return { tar };
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    return {
      skip: `no Debian base (debootstrap failed; mirror unreachable?): ${stderr.trim().split('\n').pop()}`,
    };
  }
}

function runAs(user: string, args: readonly string[]): Promise<StepReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'runuser',
      [
        '-u',
        user,
        '--',
        process.execPath,
        '--import',
        'tsx',
        'test/integration/fixtures/run-to-layer.ts',
        ...args,
      ],
      { cwd: repoRoot(), env: { PATH: process.env.PATH, HOME: '/tmp' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', () => {
      const line = out.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line) as StepReport);
      } catch {
        reject(new Error(`no report from run-to-layer (stderr: ${err}) (stdout: ${out})`));
      }
    });
  });
}

interface Entry {
  readonly mode: string;
  readonly owner: string;
  readonly size: string;
  readonly name: string;
  readonly link: string | undefined;
}

/** `tar -tv` entries (numeric owners) without dates. */
async function entries(tarPath: string): Promise<Entry[]> {
  const { stdout } = await run('tar', ['--numeric-owner', '-tvf', tarPath], { maxBuffer: 64 * 1024 * 1024 });
  return stdout
    .trim()
    .split('\n')
    .map((line) => {
      const [mode = '', owner = '', size = '', , , ...rest] = line.split(/\s+/);
      const text = rest.join(' ');
      const arrow = text.match(/^(.*?) (?:link to|->) (.*)$/);
      return { mode, owner, size, name: arrow ? arrow[1]! : text, link: arrow ? arrow[2] : undefined };
    });
}

const ready = await prerequisites();

/** `auto` (an OCI runtime where one works) and the chroot strategy (environment via env -S). */
for (const requested of ['auto', 'chroot']) {
  describe(`RUN apt-get install → layer, as an unprivileged user (Debian bookworm base, isolation ${requested})`, {
    skip: 'skip' in ready ? ready.skip : false,
    timeout: 300_000,
  }, () => {
    let work: string;
    let report: StepReport;
    let layer: Entry[];
    const find = (name: string) => layer.find((e) => e.name === name);
    const expectEntry = (name: string, mode: string, owner = '0/0') => {
      const e = find(name);
      assert.ok(e, `${name} not in the layer`);
      assert.equal(`${e.mode} ${e.owner}`, `${mode} ${owner}`, name);
      return e;
    };

    before(async () => {
      work = await mkdtemp(join(tmpdir(), 'kiln-debian-layer-'));
      await chmod(work, 0o777);
      const outTar = join(work, 'layer.tar');
      report = await runAs(TEST_USER, ['tar' in ready ? ready.tar : '', SCRIPT, outTar, requested]);
      assert.equal(report.error, undefined, report.error);
      assert.equal(report.exitCode, 0, `${report.stdout.join('\n')}\n${report.stderr.join('\n')}`);
      layer = await entries(outTar);
    });

    after(async () => {
      await rm(work, { recursive: true, force: true });
    });

    it('ran as kilntest with subordinate ids and native ownership; the package works', (t) => {
      t.diagnostic(
        `isolation ${report.isolation}, snapshotter ${report.snapshotter}, ${layer.length} entries`,
      );
      assert.equal(report.mapping, 'subordinate');
      assert.equal(report.ownership, 'native');
      if (requested !== 'auto') assert.ok(report.isolation.startsWith(requested), report.isolation);
      assert.ok(report.stdout.includes('kiln-hello'), report.stdout.join('\n'));
      assert.ok(report.stdout.includes('step-done'));
    });

    it(`${PACKAGE}'s files are in the layer, owned by root, with their modes`, () => {
      expectEntry('usr/bin/hello', '-rwxr-xr-x');
      expectEntry('usr/share/doc/hello/', 'drwxr-xr-x');
      expectEntry('usr/share/doc/hello/copyright', '-rw-r--r--');
      expectEntry('usr/share/man/man1/hello.1.gz', '-rw-r--r--');
      expectEntry('var/lib/dpkg/info/hello.list', '-rw-r--r--');
      const pkgFiles = layer.filter((e) => /^usr\/(bin|share\/(doc|man|info|locale))\/.*hello/.test(e.name));
      assert.ok(pkgFiles.length > 5, `package files: ${pkgFiles.map((e) => e.name).join(', ')}`);
      for (const e of pkgFiles) assert.equal(e.owner, '0/0', e.name);
      // apt's unprivileged download dirs belong to _apt (uid 42, gid root): a subordinate id on the host.
      expectEntry('var/cache/apt/archives/partial/', 'drwx------', '42/0');
      expectEntry('var/lib/apt/lists/partial/', 'drwx------', '42/0');
    });

    it('chown, setuid, sticky, hardlink and FIFO as BuildKit writes them', () => {
      expectEntry('data/owned', '-rw-r--r--', '1000/1000');
      expectEntry('data/suid', '-rwsr-xr-x');
      expectEntry('data/sticky/', 'drwxrwxrwt');
      expectEntry('data/a', '-rw-r--r--');
      const b = expectEntry('data/b', 'hrw-r--r--');
      assert.equal(b.link, 'data/a');
      expectEntry('data/fifo', 'prw-r--r--');
    });

    it('a deleted base file is a whiteout, a replaced base directory is opaque', () => {
      const wh = find('etc/.wh.motd');
      assert.ok(wh, 'etc/.wh.motd');
      assert.equal(`${wh.owner} ${wh.size}`, '0/0 0');
      assert.equal(find('etc/motd'), undefined);
      const opq = find('usr/share/doc/bash/.wh..wh..opq');
      assert.ok(opq, 'opaque marker for usr/share/doc/bash');
      assert.equal(`${opq.owner} ${opq.size}`, '0/0 0');
      expectEntry('usr/share/doc/bash/', 'drwxr-xr-x');
      expectEntry('usr/share/doc/bash/new', '-rw-r--r--');
      assert.deepEqual(
        layer.filter((e) => e.name.startsWith('usr/share/doc/bash/')).map((e) => e.name),
        ['usr/share/doc/bash/', 'usr/share/doc/bash/.wh..wh..opq', 'usr/share/doc/bash/new'],
        'the directory, its opaque marker first, then only the new file',
      );
    });

    it('every owner is a container id (root, root:adm logs, _apt, the chowned 1000), never a host id', () => {
      const owners = new Set(layer.map((e) => e.owner));
      assert.deepEqual([...owners].sort(), ['0/0', '0/4', '1000/1000', '42/0']);
      const logs = layer.filter((e) => e.owner === '0/4').map((e) => e.name);
      assert.ok(
        logs.every((n) => n.startsWith('var/log/')),
        logs.join(', '),
      );
    });

    if (requested === 'auto') {
      it(`${TEST_USER_NO_SUBIDS} (single id): the same headers, chown emulated by kiln-idshift`, async (t) => {
        if (!canRunAsTestUser(TEST_USER_NO_SUBIDS)) return t.skip(`needs the user ${TEST_USER_NO_SUBIDS}`);
        // apt's download sandbox switches to _apt (uid 42), which a single id cannot: run it as root.
        const script = SCRIPT.replaceAll('apt-get ', 'apt-get -o APT::Sandbox::User=root ');
        const outTar = join(work, 'single.tar');
        const single = await runAs(TEST_USER_NO_SUBIDS, [
          'tar' in ready ? ready.tar : '',
          script,
          outTar,
          requested,
        ]);
        assert.equal(single.error, undefined, single.error);
        assert.equal(single.exitCode, 0, `${single.stdout.join('\n')}\n${single.stderr.join('\n')}`);
        assert.equal(`${single.mapping} ${single.ownerEmulation}`, 'single seccomp');
        // Log sizes vary between runs; what apt gives to _apt when it sandboxes stays root's here.
        const apts = new Set(layer.filter((e) => e.owner === '42/0').map((e) => e.name));
        const header = (e: Entry) =>
          `${e.mode} ${apts.has(e.name) ? '*' : e.owner} ${e.name.startsWith('var/log/') ? '*' : e.size} ${e.name} ${e.link ?? ''}`;
        assert.deepEqual((await entries(outTar)).map(header), layer.map(header));
      });
    }

    it('nothing the executor injected: no /etc/hosts, resolv.conf, hostname, /proc, /sys, /dev', () => {
      for (const e of layer) {
        assert.doesNotMatch(
          e.name,
          /^(etc\/(\.wh\.)?(hosts|hostname|resolv\.conf)$|(\.wh\.)?(proc|sys|dev)(\/|$))/,
          `${e.mode} ${e.owner} ${e.name}`,
        );
      }
    });
  });
}
