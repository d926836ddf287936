/**
 * resolveGitSources against a git smart-HTTP server on 127.0.0.1, without the CLI: as real root git runs
 * as kiln-git or nobody in a directory of its own (removed by close) and the files are given to 0:0; abbreviated
 * commits fall back to a full fetch; missing refs, subdirs that are not directories of the checkout
 * (a symlink out of it) and hostile URLs fail with E_GIT before anything is copied; submodules are
 * checked out over the remote's transport, never from a local path; git:// remotes (git daemon).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { resolveGitSources } from '../../src/build/git-sources.js';
import { gitUser } from '../../src/build/git-user.js';
import { ErrorCode, KilnError } from '../../src/errors.js';
import type { SourceSpec } from '../../src/plan/index.js';
import { type GitHttpServer, gitHttpSkip, startGitHttpServer } from '../harness/git-http-server.js';
import { gitSourcePlan, testGit } from '../helpers/git-fixtures.js';
import { freePort } from '../helpers/secret-servers.js';

const isRoot = process.getuid?.() === 0;
const skip = gitHttpSkip();

const git = testGit;
const planOf = gitSourcePlan;

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await sleep(50);
  }
  throw new Error(`nothing listens on 127.0.0.1:${port}`);
}

const NO_CREDENTIALS = { secret: async () => undefined, sshSocket: async () => undefined };

describe('resolveGitSources', { skip }, () => {
  let dir: string;
  let server: GitHttpServer;
  let head: string;
  let url: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kiln-git-sources-'));
    const src = join(dir, 'src');
    await git(dir, 'init', '-q', '-b', 'main', src);
    await mkdir(join(src, 'docs'));
    await writeFile(join(src, 'docs', 'a.md'), 'a\n');
    await symlink('/etc', join(src, 'escape'));
    await git(src, 'add', '-A');
    await git(src, 'commit', '-q', '-m', 'one');
    head = await git(src, 'rev-parse', 'HEAD');
    await git(dir, 'clone', '-q', '--bare', src, join(dir, 'served', 'r.git'));
    server = await startGitHttpServer({ root: join(dir, 'served') });
    url = `${server.url}/r.git`;
  });

  after(async () => {
    await server?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('as real root, runs git as kiln-git or nobody outside the kiln root and gives the files to 0:0', {
    skip: isRoot ? false : 'needs root',
  }, async () => {
    const work = await mkdtemp(join(dir, 'work-'));
    const fetched = await resolveGitSources({
      plan: planOf({ g: { kind: 'git', url, subdir: 'docs', keepGitDir: false } }),
      dir: work,
      file: 'Dockerfile',
      credentials: NO_CREDENTIALS,
      realRoot: true,
    });
    const root = await fetched.checkout('g');
    assert.equal(fetched.commits.get('g'), head);
    assert.ok(!root.startsWith(work), `${root} is outside the kiln work dir`);
    const base = dirname(dirname(root));
    assert.equal(
      (await lstat(join(base, 'home'))).uid,
      (await gitUser()).uid,
      'git ran as kiln-git or nobody',
    );
    const file = await lstat(join(root, 'a.md'));
    assert.deepEqual([file.uid, file.gid, file.mode & 0o7777], [0, 0, 0o644]);
    assert.equal(await readFile(join(root, 'a.md'), 'utf8'), 'a\n');
    await fetched.close();
    await assert.rejects(lstat(base), /ENOENT/);
  });

  it('fetches an abbreviated commit with a full fetch', async () => {
    const work = await mkdtemp(join(dir, 'work-'));
    const fetched = await resolveGitSources({
      plan: planOf({ g: { kind: 'git', url, ref: head.slice(0, 10), keepGitDir: false } }),
      dir: work,
      file: 'Dockerfile',
      credentials: NO_CREDENTIALS,
      realRoot: false,
    });
    assert.equal(fetched.commits.get('g'), head);
    await fetched.close();
  });

  it('fails with E_GIT for a missing ref, a subdir that leaves the checkout and a hostile URL', async () => {
    const cases: [SourceSpec, RegExp][] = [
      [{ kind: 'git', url, ref: 'no-such-branch', keepGitDir: false }, /not found/],
      [{ kind: 'git', url, subdir: 'escape', keepGitDir: false }, /not a directory of/],
      [{ kind: 'git', url, subdir: 'docs/a.md', keepGitDir: false }, /not a directory of/],
      [{ kind: 'git', url: 'ext::/bin/touch%S/tmp/kiln-pwned', keepGitDir: false }, /remote helper/],
      [
        { kind: 'git', url, ref: '--upload-pack=touch /tmp/kiln-pwned', keepGitDir: false },
        /invalid git ref/,
      ],
    ];
    for (const [source, message] of cases) {
      const work = await mkdtemp(join(dir, 'work-'));
      await assert.rejects(
        resolveGitSources({
          plan: planOf({ g: source }),
          dir: work,
          file: 'Dockerfile',
          credentials: NO_CREDENTIALS,
          realRoot: false,
        }).then((sources) => sources.checkout('g')),
        (error: unknown) =>
          error instanceof KilnError && error.code === ErrorCode.Git && message.test(error.message),
        JSON.stringify(source),
      );
    }
    await assert.rejects(lstat('/tmp/kiln-pwned'), /ENOENT/);
  });

  it('checks out submodules over the remote transport and refuses ones on local paths', async () => {
    const superRepo = async (name: string, moduleUrl: string) => {
      const work = join(dir, `${name}-work`);
      await git(dir, 'init', '-q', '-b', 'main', work);
      await git(
        work,
        '-c',
        'protocol.file.allow=always',
        'submodule',
        'add',
        '-q',
        join(dir, 'served', 'r.git'),
        'mod',
      );
      await git(work, 'config', '-f', '.gitmodules', 'submodule.mod.url', moduleUrl);
      await git(work, 'add', '-A');
      await git(work, 'commit', '-q', '-m', 'super');
      await git(dir, 'clone', '-q', '--bare', work, join(dir, 'served', `${name}.git`));
      return `${server.url}/${name}.git`;
    };
    const fetch = async (url: string) =>
      resolveGitSources({
        plan: planOf({ g: { kind: 'git', url, keepGitDir: false } }),
        dir: await mkdtemp(join(dir, 'work-')),
        file: 'Dockerfile',
        credentials: NO_CREDENTIALS,
        realRoot: false,
      });
    const url = await superRepo('relative', '../r.git');
    const before = server.commands.length;
    const relative = await fetch(url);
    const resolved = server.commands.length;
    assert.deepEqual(server.commands.slice(before), ['ls-refs'], 'resolving only lists refs');
    const root = await relative.checkout('g');
    assert.ok(server.commands.slice(resolved).includes('fetch'));
    assert.equal(await readFile(join(root, 'mod', 'docs', 'a.md'), 'utf8'), 'a\n');
    await assert.rejects(lstat(join(root, 'mod', '.git')), /ENOENT/);
    await assert.rejects(
      fetch(await superRepo('local', join(dir, 'served', 'r.git'))).then((sources) => sources.checkout('g')),
      (error: unknown) => error instanceof KilnError && /transport 'file' not allowed/.test(error.message),
    );
  });

  it('fetches git:// remotes (git daemon)', async () => {
    const port = await freePort();
    const served = join(dir, 'served');
    const daemon = spawn(
      'git',
      ['daemon', '--export-all', `--base-path=${served}`, '--listen=127.0.0.1', `--port=${port}`, served],
      { stdio: 'ignore' },
    );
    try {
      await waitForPort(port);
      const sources = await resolveGitSources({
        plan: planOf({
          g: { kind: 'git', url: `git://127.0.0.1:${port}/r.git`, subdir: 'docs', keepGitDir: false },
        }),
        dir: await mkdtemp(join(dir, 'work-')),
        file: 'Dockerfile',
        credentials: NO_CREDENTIALS,
        realRoot: false,
      });
      assert.equal(sources.commits.get('g'), head);
      assert.equal(await readFile(join(await sources.checkout('g'), 'a.md'), 'utf8'), 'a\n');
    } finally {
      daemon.kill('SIGTERM');
    }
  });
});
