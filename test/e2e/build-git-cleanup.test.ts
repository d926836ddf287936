/**
 * `kiln build` as real root (the CLI, no test user): git checkouts then live in root-owned
 * `kiln-git-*` directories of the temp dir, outside the work dir. When another remote source of the
 * same build (an http ADD) fails while the git sources resolve, the git session is still closed:
 * nothing is left in the temp dir (TMPDIR points at a directory of the test's own).
 */
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openStore } from '../../src/store/local-store.js';
import { type GitHttpServer, gitHttpSkip, startGitHttpServer } from '../harness/git-http-server.js';
import { writeBusyboxImage } from '../helpers/busybox-image.js';
import { runKiln } from '../helpers/cli.js';
import { testGit } from '../helpers/git-fixtures.js';
import { freePort } from '../helpers/secret-servers.js';

const skip = process.getuid?.() !== 0 ? 'needs root (kiln as real root)' : gitHttpSkip();

describe('kiln build as real root: a failing source leaves no git checkout behind', { skip }, () => {
  let dir: string;
  let server: GitHttpServer;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kiln-e2e-git-cleanup-'));
    const src = join(dir, 'src');
    await testGit(dir, 'init', '-q', '-b', 'main', src);
    await writeFile(join(src, 'a.txt'), 'a\n');
    await testGit(src, 'add', '-A');
    await testGit(src, 'commit', '-q', '-m', 'one');
    await testGit(dir, 'clone', '-q', '--bare', src, join(dir, 'served', 'r.git'));
    server = await startGitHttpServer({ root: join(dir, 'served') });
    await writeBusyboxImage(await openStore({ root: join(dir, 'kiln'), env: {} }), 'base:1');
  });

  after(async () => {
    await server?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('an http ADD that fails beside a git ADD', async () => {
    const temp = join(dir, 'tmp');
    await mkdir(temp);
    await chmod(temp, 0o1777);
    await chmod(dir, 0o711); // git's uid reaches its directories in `temp`
    const ctx = join(dir, 'ctx');
    await mkdir(ctx);
    const closedPort = await freePort();
    await writeFile(
      join(ctx, 'Dockerfile'),
      `FROM base:1\nADD http://127.0.0.1:${closedPort}/missing /m\nADD ${server.url}/r.git /g\n`,
    );
    const result = await runKiln(['--root', join(dir, 'kiln'), 'build', '--progress', 'plain', ctx], {
      env: { HOME: dir, TMPDIR: temp },
      cwd: dir,
    });
    assert.notEqual(result.code, 0, 'the http source fails');
    assert.ok(server.commands.includes('ls-refs'), 'the git source was resolved');
    assert.deepEqual(
      (await readdir(temp)).filter((name) => name.startsWith('kiln-git-')),
      [],
    );
  });
});
