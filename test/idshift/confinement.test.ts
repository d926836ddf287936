/**
 * Security regression: kiln-idshift resolves a step's chown paths as the step would — inside its
 * root — and never acts on host files, whatever the path: an absolute host path, `..` chains, symlinks
 * to host paths, or /proc/PID/{root,cwd} magic links (no-pid-sandbox shows the host's /proc). The
 * host sentinels are owned by the test user, so only the helper's confinement protects them.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { canRunAsTestUser, TEST_USER_NO_SUBIDS } from '../helpers/cli.js';
import { runSingleIdStep } from './run-single-id-step.js';

const run = promisify(execFile);

function escapeScript(file: string, dir: string): string {
  const targets = [
    file,
    dir,
    '/abs-link',
    '/inside/deep/rel-link',
    `../../../../../../..${file}`,
    `/..${file}`,
    `/proc/self/root${file}`,
    `/proc/1/root${file}`,
    `/proc/1/cwd/../../../../..${file}`,
  ];
  return [
    'mkdir -p /inside/deep',
    `ln -s '${file}' /abs-link`,
    `ln -s '../../../../../../..${file}' /inside/deep/rel-link`,
    'ln -s /etc/passwd /passwd-link',
    'cd /inside/deep',
    `for p in ${targets.map((t) => `'${t}'`).join(' ')}; do`,
    '  chown 1000:1000 "$p" 2>/dev/null && echo "chowned $p"',
    'done',
    // the links themselves are inside the root: changing them is allowed (and not recordable)
    'chown -h 1000:1000 /abs-link /inside/deep/rel-link && echo links-ok',
    'for p in /proc/[0-9]*; do',
    `  for q in "$p/root${file}" "$p/cwd${file}" "$p/root${dir}"; do chown 1000:1000 "$q" 2>/dev/null && echo "chowned $q"; done`,
    'done',
    'chown 1000:1000 /passwd-link && echo inside-ok',
    'stat -c "seen %u:%g" /etc/passwd',
  ].join('\n');
}

async function hostRecord(path: string): Promise<string> {
  const { stdout } = await run('getfattr', ['--absolute-names', '-d', '-m', '-', path]);
  return stdout;
}

const skip = canRunAsTestUser(TEST_USER_NO_SUBIDS) ? false : 'needs root and the kilntest-noid user';

describe('kiln-idshift never acts outside the step’s root', { skip, timeout: 180_000 }, () => {
  let work: string;
  let file: string;
  let dir: string;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'kiln-idshift-confine-'));
    await chmod(work, 0o755);
    const { stdout } = await run('id', ['-u', TEST_USER_NO_SUBIDS]);
    const uid = Number(stdout.trim());
    file = join(work, 'sentinel');
    dir = join(work, 'sentinel-dir');
    await writeFile(file, 'host\n');
    await mkdir(dir);
    await mkdir(join(work, 'helpers'));
    for (const path of [work, file, dir, join(work, 'helpers')]) await chown(path, uid, uid);
  });

  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  for (const isolation of ['chroot', 'no-pid-sandbox', 'auto']) {
    it(`${isolation}: host sentinels untouched, the in-root target recorded`, async () => {
      const before = await Promise.all([stat(file), stat(dir)]);
      const report = await runSingleIdStep({
        isolation,
        script: escapeScript(file, dir),
        inspect: ['/etc/passwd'],
        helperRoot: work,
      });
      assert.equal(report.error, undefined, report.error);
      assert.equal(report.emulation, 'seccomp', report.warnings.join('\n'));
      assert.equal(report.exitCode, 0, report.stderr.join('\n'));
      assert.deepEqual(
        report.stdout.filter((l) => l.startsWith('chowned')),
        [],
      );
      assert.ok(report.stdout.includes('inside-ok'), report.stdout.join('\n'));
      assert.ok(report.stdout.includes('links-ok'), report.stdout.join('\n'));
      assert.ok(
        report.stderr.some((l) => l.includes('could not be recorded') && l.includes('/abs-link')),
        report.stderr.join('\n'),
      );
      assert.ok(report.stdout.includes('seen 1000:1000'), report.stdout.join('\n'));
      assert.deepEqual(report.owners['/etc/passwd'], { uid: 1000, gid: 1000 });
      const afterward = await Promise.all([stat(file), stat(dir)]);
      for (const [i, path] of [file, dir].entries()) {
        assert.equal(afterward[i]!.ctimeMs, before[i]!.ctimeMs, `${path} was changed`);
        assert.doesNotMatch(await hostRecord(path), /rootlesscontainers/);
      }
    });
  }
});
