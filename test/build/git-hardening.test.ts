/**
 * ADD of git URLs against hostile neighbours and failures: as real root, the tree git wrote is taken
 * back top-down (a process of git's uid still sitting in a directory can no longer plant a symlink;
 * FIFOs and hard links are refused; a symlink to a host file is never followed), git's base directory
 * is root's so git's uid cannot swap it, the dedicated `kiln-git` account is preferred over nobody; a
 * failing source leaves no /tmp/kiln-git-* behind and close() waits for checkouts under way; the
 * GIT_AUTH_* secrets are sent over https only.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import {
  chmod,
  lchown,
  link,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { type GitCredentials, resolveGitSources } from '../../src/build/git-sources.js';
import { takeTree } from '../../src/build/git-tree.js';
import { gitUser, NOBODY } from '../../src/build/git-user.js';
import { ErrorCode, KilnError } from '../../src/errors.js';
import {
  type GitHttpServer,
  gitHttpSkip,
  gitPathTrusting,
  startGitHttpServer,
} from '../harness/git-http-server.js';
import { makeSelfSigned, makeServerCert } from '../harness/tls.js';
import { gitSourcePlan, testGit } from '../helpers/git-fixtures.js';

const run = promisify(execFile);
const needsRoot = process.getuid?.() === 0 ? false : 'needs root';
const TOKEN = 'hardening-token';
const NO_CREDENTIALS: GitCredentials = { secret: async () => undefined, sshSocket: async () => undefined };

const git = testGit;
const planOf = gitSourcePlan;

function secrets(values: Readonly<Record<string, string>>): GitCredentials {
  return {
    secret: async (id) => (values[id] === undefined ? undefined : Buffer.from(values[id])),
    sshSocket: async () => undefined,
  };
}

async function kilnGitDirs(parent: string): Promise<string[]> {
  return (await readdir(parent)).filter((name) => name.startsWith('kiln-git-'));
}

/** Runs `script` with sh as nobody in `cwd`; it waits for a line on stdin before going on. */
function nobodyShell(cwd: string, script: string): { go(): Promise<string> } {
  const child = spawn('sh', ['-c', script], { cwd, uid: NOBODY.uid, gid: NOBODY.gid, stdio: 'pipe' });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
  });
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  return {
    go: async () => {
      child.stdin.end('go\n');
      await exited;
      return out;
    },
  };
}

describe('takeTree (real root)', { skip: needsRoot }, () => {
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kiln-take-tree-'));
    await chmod(dir, 0o711);
  });

  after(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  /** A nobody-owned tree t/sub/{f,link→victim} below a fresh root-owned directory. */
  const hostileTree = async () => {
    const base = await mkdtemp(join(dir, 'case-'));
    await chmod(base, 0o711);
    const victim = join(base, 'victim');
    await writeFile(victim, 'host file\n', { mode: 0o600 });
    const tree = join(base, 't');
    await mkdir(join(tree, 'sub'), { recursive: true, mode: 0o777 });
    await writeFile(join(tree, 'sub', 'f'), 'f\n', { mode: 0o666 });
    await symlink(victim, join(tree, 'sub', 'link'));
    for (const path of [tree, join(tree, 'sub'), join(tree, 'sub', 'f'), join(tree, 'sub', 'link')]) {
      await lchown(path, NOBODY.uid, NOBODY.gid);
    }
    // Writable by anyone, as a hostile git could leave them (mkdir's mode is cut by the umask).
    for (const path of [tree, join(tree, 'sub')]) await chmod(path, 0o777);
    return { tree, victim };
  };

  it('a process of git’s uid sitting in the tree can change nothing once it is taken; links are not followed', async () => {
    const { tree, victim } = await hostileTree();
    const sub = join(tree, 'sub');
    const neighbour = nobodyShell(
      sub,
      'read line; ln -s ../../victim evil 2>/dev/null; echo "ln $?"; rm -f f 2>/dev/null; echo "rm $?"',
    );
    await takeTree(tree, { mode: 'checkout' });
    assert.match(await neighbour.go(), /^ln [1-9]\d*\nrm [1-9]\d*\n$/, 'the neighbour was refused');
    await assert.rejects(lstat(join(sub, 'evil')), /ENOENT/);
    for (const path of [tree, sub, join(sub, 'f'), join(sub, 'link')]) {
      const st = await lstat(path);
      assert.deepEqual([st.uid, st.gid], [0, 0], path);
      if (st.isDirectory()) assert.equal(st.mode & 0o7777, 0o755, path);
    }
    const host = await lstat(victim);
    assert.deepEqual(
      [host.uid, host.gid, host.mode & 0o7777],
      [0, 0, 0o600],
      'the symlink target is untouched',
    );
  });

  it('refuses FIFOs and hard links in a checkout; cleanup takes only the directories', async () => {
    const fifo = await hostileTree();
    await run('mkfifo', [join(fifo.tree, 'sub', 'pipe')]);
    await assert.rejects(
      takeTree(fifo.tree, { mode: 'checkout' }),
      (error: unknown) =>
        error instanceof KilnError && error.code === ErrorCode.Git && /special file/.test(error.message),
    );
    await takeTree(fifo.tree, { mode: 'cleanup' });
    assert.equal((await lstat(join(fifo.tree, 'sub'))).uid, 0);
    const linked = await hostileTree();
    await link(join(linked.tree, 'sub', 'f'), join(linked.tree, 'f2'));
    await assert.rejects(
      takeTree(linked.tree, { mode: 'checkout' }),
      (error: unknown) =>
        error instanceof KilnError && error.code === ErrorCode.Git && /hard link/.test(error.message),
    );
  });
});

describe('gitUser', () => {
  it('prefers the kiln-git account, never a root id, else nobody', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kiln-user-'));
    try {
      const passwd = async (text: string) => {
        const file = join(dir, 'passwd');
        await writeFile(file, text);
        return gitUser({ passwdFile: file });
      };
      const others = 'root:x:0:0::/root:/bin/sh\nnobody:x:65534:65534::/:/usr/sbin/nologin\n';
      assert.deepEqual(await passwd(`${others}kiln-git:x:998:997::/:/usr/sbin/nologin\n`), {
        uid: 998,
        gid: 997,
      });
      assert.deepEqual(await passwd(others), NOBODY);
      assert.deepEqual(await passwd(`${others}kiln-git:x:0:0::/:/bin/sh\n`), NOBODY);
      assert.deepEqual(await passwd(`${others}kiln-git:x:12a:5::/:/bin/sh\n`), NOBODY);
      assert.deepEqual(await gitUser({ passwdFile: join(dir, 'missing') }), NOBODY);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('resolveGitSources hardening', { skip: gitHttpSkip() }, () => {
  let dir: string;
  let http: GitHttpServer;
  let https: GitHttpServer;
  let pathVar: string;
  let head: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kiln-hardening-'));
    await chmod(dir, 0o711); // git's uid reaches its directories below it
    const src = join(dir, 'src');
    await git(dir, 'init', '-q', '-b', 'main', src);
    await mkdir(join(src, 'docs'));
    await writeFile(join(src, 'docs', 'a.md'), 'a\n');
    await git(src, 'add', '-A');
    await git(src, 'commit', '-q', '-m', 'one');
    head = await git(src, 'rev-parse', 'HEAD');
    const served = join(dir, 'served');
    for (const name of ['r.git', 'private.git'])
      await git(dir, 'clone', '-q', '--bare', src, join(served, name));
    const header = `basic ${Buffer.from(`x-access-token:${TOKEN}`).toString('base64')}`;
    const privateRepos = new Map([['private.git', header]]);
    const ca = await makeSelfSigned(dir, 'ca', '/CN=kiln test git CA');
    const cert = await makeServerCert(dir, ca);
    http = await startGitHttpServer({ root: served, private: privateRepos });
    https = await startGitHttpServer({
      root: served,
      private: privateRepos,
      tls: { key: cert.keyPem, cert: cert.certPem },
    });
    pathVar = await gitPathTrusting(dir, ca.certFile);
  });

  after(async () => {
    await http?.close();
    await https?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  const resolve = async (url: string, credentials: GitCredentials) =>
    resolveGitSources({
      plan: planOf({ g: { kind: 'git', url, keepGitDir: false } }),
      dir: await mkdtemp(join(dir, 'work-')),
      file: 'Dockerfile',
      credentials,
      pathVar,
      realRoot: false,
    });

  it('sends GIT_AUTH_TOKEN (generic or for the host) over https only', async () => {
    const httpsHost = new URL(https.url).host;
    const httpHost = new URL(http.url).host;
    for (const values of [{ GIT_AUTH_TOKEN: TOKEN }, { [`GIT_AUTH_TOKEN.${httpsHost}`]: TOKEN }]) {
      const fetched = await resolve(`${https.url}/private.git`, secrets(values));
      assert.equal(fetched.commits.get('g'), head, JSON.stringify(Object.keys(values)));
      await fetched.close();
    }
    assert.equal(https.refused.length, 0);
    for (const values of [{ GIT_AUTH_TOKEN: TOKEN }, { [`GIT_AUTH_TOKEN.${httpHost}`]: TOKEN }]) {
      const refusedBefore = http.refused.length;
      await assert.rejects(
        resolve(`${http.url}/private.git`, secrets(values)),
        (error: unknown) => error instanceof KilnError && error.code === ErrorCode.Git,
      );
      assert.ok(http.refused.length > refusedBefore, 'the http server saw no credentials');
    }
  });

  it('as real root: git’s base directory is root’s and the kiln-git account is used when present', {
    skip: needsRoot,
  }, async () => {
    const passwdFile = join(dir, 'passwd');
    await writeFile(passwdFile, 'kiln-git:x:64990:64991::/nonexistent:/usr/sbin/nologin\n');
    const fetched = await resolveGitSources({
      plan: planOf({ g: { kind: 'git', url: `${http.url}/r.git`, subdir: 'docs', keepGitDir: false } }),
      dir: await mkdtemp(join(dir, 'work-')),
      file: 'Dockerfile',
      credentials: NO_CREDENTIALS,
      realRoot: true,
      passwdFile,
    });
    try {
      const root = await fetched.checkout('g');
      const base = dirname(dirname(root));
      const st = await lstat(base);
      assert.deepEqual([st.uid, st.mode & 0o7777], [0, 0o711], 'the base is root’s');
      const home = await lstat(join(base, 'home'));
      assert.deepEqual([home.uid, home.gid], [64990, 64991], 'git ran as kiln-git');
      const file = await lstat(join(root, 'a.md'));
      assert.deepEqual([file.uid, file.gid, file.mode & 0o7777], [0, 0, 0o644]);
      await assert.rejects(
        run('mv', [base, `${base}-moved`], { uid: 64990, gid: 64991 }),
        'git’s uid cannot move the base away',
      );
    } finally {
      await fetched.close();
    }
  });

  it('as real root: a failing source leaves no /tmp/kiln-git-* behind; close waits for checkouts', {
    skip: needsRoot,
  }, async () => {
    // A temp dir of the test's own stands for /tmp (other tests make kiln-git-* directories too).
    const tempDir = await mkdtemp(join(dir, 'tmp-'));
    await chmod(tempDir, 0o1777);
    await assert.rejects(
      resolveGitSources({
        plan: planOf({
          good: { kind: 'git', url: `${http.url}/r.git`, keepGitDir: false },
          bad: { kind: 'git', url: 'ext::/bin/false', keepGitDir: false },
          missing: { kind: 'git', url: `${http.url}/r.git`, ref: 'no-such-branch', keepGitDir: false },
        }),
        dir: await mkdtemp(join(dir, 'work-')),
        file: 'Dockerfile',
        credentials: NO_CREDENTIALS,
        realRoot: true,
        tempDir,
      }),
      (error: unknown) => error instanceof KilnError && error.code === ErrorCode.Git,
    );
    // Give stray work (if any were left running) the time to make its directories.
    await sleep(300);
    assert.deepEqual(await kilnGitDirs(tempDir), []);

    const fetched = await resolveGitSources({
      plan: planOf({ g: { kind: 'git', url: `${http.url}/r.git`, keepGitDir: false } }),
      dir: await mkdtemp(join(dir, 'work-')),
      file: 'Dockerfile',
      credentials: NO_CREDENTIALS,
      realRoot: true,
      tempDir,
    });
    assert.equal((await kilnGitDirs(tempDir)).length, 1);
    const underWay = fetched.checkout('g');
    await fetched.close();
    const root = await underWay;
    await assert.rejects(lstat(root), /ENOENT/, 'the checkout finished before its directory was removed');
    await sleep(300);
    assert.deepEqual(await kilnGitDirs(tempDir), []);
    await assert.rejects(fetched.checkout('other'), /no open git source/);
  });
});
