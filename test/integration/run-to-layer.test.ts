/**
 * Issue-level integration of the rootless engine: as an unprivileged user, unpack a base layer, run a
 * RUN step on a snapshot of it with the executor, and turn its changes into a layer. GNU tar (an
 * independent reader) must show the owners, modes, links, FIFOs, whiteouts and opaque markers BuildKit
 * would produce — identically with subordinate ids and with the single-id fallback.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { makeBusyboxRootfs } from '../helpers/busybox-rootfs.js';
import { canRunAsTestUser, TEST_USER, TEST_USER_NO_SUBIDS } from '../helpers/cli.js';
import { runJsonFixtureAs } from '../helpers/json-fixture.js';

const run = promisify(execFile);

interface StepReport {
  readonly error?: string;
  readonly mapping: string;
  readonly ownership: string;
  readonly ownerEmulation: string;
  readonly warnings: readonly string[];
  readonly snapshotter: string;
  readonly isolation: string;
  readonly exitCode: number;
  readonly stdout: readonly string[];
  readonly stderr: readonly string[];
  readonly diffID: string;
}

/**
 * Changes to non-root owners: ids beyond the user's own (a subordinate range, or kiln-idshift's
 * emulation in the single-id fallback). The step also reports what stat and `ls -n` show it.
 */
const CHOWN = [
  'echo hello > /data/owned && chown 1000:1000 /data/owned',
  'mkdir -p /data/tree/sub && echo t > /data/tree/sub/f && chown -R 1001:1002 /data/tree',
  'echo g > /data/group-only && chown :1003 /data/group-only',
  // chown clears setuid/setgid (kiln-idshift leaves that to the kernel as well)
  'echo c > /data/cleared && chmod 6755 /data/cleared && chown 1000:1000 /data/cleared',
  'chown 1004:1005 /opt/base-owned',
  'echo "seen $(stat -c %u:%g /data/owned /data/tree/sub | tr "\\n" " ")$(ls -ln /data/group-only | awk \'{print $3":"$4}\')"',
].join('\n');

/** Every other kind of change whose tar representation the issue names. */
const COMMON = [
  'set -e',
  'mkdir -p /data',
  'echo suid > /data/suid && chmod 4755 /data/suid',
  'mkdir /data/sticky && chmod 1777 /data/sticky',
  'echo linked > /data/a && ln /data/a /data/b',
  'mkfifo /data/fifo',
  'rm /opt/delete-me',
  'rm -rf /opt/replaced && mkdir /opt/replaced && echo new > /opt/replaced/new',
  'echo step-done',
];

const withChown = [...COMMON.slice(0, 2), CHOWN, ...COMMON.slice(2)].join('\n');

function runAs(user: string, args: readonly string[]): Promise<StepReport> {
  const fixture = ['--import', 'tsx', 'test/integration/fixtures/run-to-layer.ts'];
  return runJsonFixtureAs<StepReport>({ user, args: [...fixture, ...args] });
}

/** `tar -tv` lines without the date and time columns: `mode owner size name[ link]`. */
async function listing(tarPath: string): Promise<string[]> {
  const { stdout } = await run('tar', ['--numeric-owner', '-tvf', tarPath]);
  return stdout
    .trim()
    .split('\n')
    .map((line) => {
      const [mode, owner, size, , , ...name] = line.split(/\s+/);
      return `${mode} ${owner} ${size} ${name.join(' ')}`;
    });
}

const skip =
  canRunAsTestUser(TEST_USER) && canRunAsTestUser(TEST_USER_NO_SUBIDS)
    ? false
    : 'needs root and the test users';

describe('RUN step → layer, as an unprivileged user (busybox base)', { skip, timeout: 300_000 }, () => {
  let work: string;
  let baseTar: string;
  const listings = new Map<string, string[]>();

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'kiln-run-layer-'));
    await chmod(work, 0o777);
    const rootfs = join(work, 'rootfs');
    await makeBusyboxRootfs(rootfs);
    await mkdir(join(rootfs, 'opt', 'replaced'), { recursive: true });
    await writeFile(join(rootfs, 'opt', 'replaced', 'old'), 'old\n');
    await writeFile(join(rootfs, 'opt', 'delete-me'), 'x\n');
    await writeFile(join(rootfs, 'opt', 'base-owned'), 'base\n');
    baseTar = join(work, 'base.tar');
    await run('tar', ['-C', rootfs, '--owner=0', '--group=0', '--numeric-owner', '-cf', baseTar, '.']);
    await chmod(baseTar, 0o644);
  });

  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  async function stepLayer(
    user: string,
    script: string,
    name: string,
  ): Promise<{ report: StepReport; lines: string[] }> {
    const outTar = join(work, `${name}.tar`);
    const report = await runAs(user, [baseTar, script, outTar]);
    assert.equal(report.error, undefined, report.error);
    assert.equal(report.exitCode, 0, report.stderr.join('\n'));
    assert.ok(report.stdout.includes('step-done'));
    return { report, lines: await listing(outTar) };
  }

  function assertCommonChanges(lines: readonly string[]): void {
    const has = (re: RegExp) =>
      assert.ok(
        lines.some((l) => re.test(l)),
        `${re} not in\n${lines.join('\n')}`,
      );
    has(/^-rwsr-xr-x 0\/0 5 data\/suid$/);
    has(/^drwxrwxrwt 0\/0 0 data\/sticky\/$/);
    has(/^-rw-r--r-- 0\/0 7 data\/a$/);
    has(/^hrw-r--r-- 0\/0 0 data\/b link to data\/a$/);
    has(/^prw-r--r-- 0\/0 0 data\/fifo$/);
    has(/^-\S+ 0\/0 0 opt\/\.wh\.delete-me$/);
    has(/^-\S+ 0\/0 0 opt\/replaced\/\.wh\.\.wh\.\.opq$/);
    has(/^-rw-r--r-- 0\/0 4 opt\/replaced\/new$/);
    // Nothing the executor injected, and nothing of the base that did not change.
    for (const line of lines) {
      assert.doesNotMatch(line, / (etc\/(hosts|hostname|resolv\.conf)|proc\/|sys\/|dev\/|bin\/)/, line);
      assert.doesNotMatch(line, / opt\/replaced\/old$/, line);
    }
  }

  function assertChownChanges(lines: readonly string[], stdout: readonly string[]): void {
    for (const expected of [
      '-rw-r--r-- 1000/1000 6 data/owned',
      'drwxr-xr-x 1001/1002 0 data/tree/',
      'drwxr-xr-x 1001/1002 0 data/tree/sub/',
      '-rw-r--r-- 1001/1002 2 data/tree/sub/f',
      '-rw-r--r-- 0/1003 2 data/group-only',
      '-rwxr-xr-x 1000/1000 2 data/cleared',
      '-rw-r--r-- 1004/1005 5 opt/base-owned',
    ]) {
      assert.ok(lines.includes(expected), `${expected} not in\n${lines.join('\n')}`);
    }
    assert.ok(stdout.includes('seen 1000:1000 1001:1002 0:1003'), stdout.join('\n'));
  }

  const outputs = new Map<string, readonly string[]>();
  for (const [user, mapping, ownership, emulation] of [
    [TEST_USER, 'subordinate', 'native', 'native'],
    [TEST_USER_NO_SUBIDS, 'single', 'xattr', 'seccomp'],
  ] as const) {
    it(`${user} (${mapping} ids): chown, setuid, sticky, hardlink, FIFO, whiteout and opaque as BuildKit writes them`, async () => {
      const { report, lines } = await stepLayer(user, withChown, user);
      assert.equal(report.mapping, mapping);
      assert.equal(report.ownership, ownership);
      assert.equal(report.ownerEmulation, emulation, report.warnings.join('\n'));
      assertChownChanges(lines, report.stdout);
      assertCommonChanges(lines);
      listings.set(user, lines);
      outputs.set(user, report.stdout);
    });
  }

  it('both id mappings produce identical tar headers, and the step saw the same owners', () => {
    const a = listings.get(TEST_USER);
    const b = listings.get(TEST_USER_NO_SUBIDS);
    assert.ok(a && b, 'both runs must have produced a layer');
    assert.deepEqual(b, a);
    assert.deepEqual(outputs.get(TEST_USER_NO_SUBIDS), outputs.get(TEST_USER));
  });
});
