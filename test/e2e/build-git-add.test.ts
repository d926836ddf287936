/**
 * `ADD <git url>` end to end: the real CLI as the unprivileged test user fetches from a git smart-HTTP
 * server on 127.0.0.1 (git http-backend). The image's filesystem is exported as a tar and read with GNU
 * tar (owners, modes, times, links) and git (the kept .git): a branch, an annotated tag, a commit with a
 * subdir, --keep-git-dir, --chown, --chmod, --link; an unchanged branch is CACHED and a moved one
 * rebuilds; a wrong --checksum fails; a private repository needs the GIT_AUTH_TOKEN secret, which is
 * sent over https only (a second server with a test CA, trusted by a git wrapper on PATH); an ssh
 * remote (an sshd of the test user) is reached through the `--ssh default` agent; a user without
 * subordinate ids (single-id namespace) gets the same owners.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { openStore } from '../../src/store/local-store.js';
import {
  type GitHttpServer,
  gitHttpSkip,
  gitPathTrusting,
  startGitHttpServer,
} from '../harness/git-http-server.js';
import { makeSelfSigned, makeServerCert } from '../harness/tls.js';
import { handOver, type KilnAsUser, kilnAs, makeHome, plainSteps } from '../helpers/build-e2e.js';
import { writeBusyboxImage } from '../helpers/busybox-image.js';
import { canRunAsTestUser, TEST_USER, TEST_USER_NO_SUBIDS } from '../helpers/cli.js';
import { sshToolsMissing, startUserSshd } from '../helpers/secret-servers.js';

const run = promisify(execFile);

const COMMIT_TIME = 1_577_934_245; // 2020-01-02T03:04:05Z
const TOKEN = 'git-token-for-the-test';

const skip = !canRunAsTestUser() ? 'needs root and the kilntest user (scripts/setup-host.sh)' : gitHttpSkip();

/** git as root on the test's own repositories, with fixed identities and times. */
async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.test', ...args], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: cwd,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_AUTHOR_DATE: `@${COMMIT_TIME} +0000`,
      GIT_COMMITTER_DATE: `@${COMMIT_TIME} +0000`,
    },
  });
  return stdout.trim();
}

interface TarEntry {
  readonly mode: string;
  readonly owner: string;
  readonly time: string;
  readonly name: string;
  readonly link?: string;
}

/** `tar -tv` of the exported filesystem, by path (GNU tar, numeric owners, full times in UTC). */
async function listTar(path: string): Promise<Map<string, TarEntry>> {
  const { stdout } = await run('tar', ['-tvf', path, '--numeric-owner', '--full-time', '--utc'], {
    maxBuffer: 16 * 1024 * 1024,
  });
  const entries = new Map<string, TarEntry>();
  for (const line of stdout.split('\n')) {
    const m = /^(\S+) (\S+)\s+\d+ (\S+ \S+) (.+?)(?: -> (.+))?$/.exec(line);
    if (m === null) continue;
    const name = m[4]!.replace(/^\.?\//, '').replace(/\/$/, '');
    entries.set(name, {
      mode: m[1]!,
      owner: m[2]!,
      time: m[3]!,
      name,
      ...(m[5] === undefined ? {} : { link: m[5] }),
    });
  }
  return entries;
}

describe('kiln build: ADD of git URLs, end to end (unprivileged, git over http)', {
  skip,
  timeout: 600_000,
}, () => {
  let home: string;
  let gitRoot: string;
  let src: string;
  let server: GitHttpServer;
  let tlsServer: GitHttpServer;
  let trustingPath: string;
  let kiln: KilnAsUser;
  let tagCommit: string;
  const ctx = () => join(home, 'ctx');

  const build = async (dockerfile: string, ...flags: string[]) => {
    await writeFile(join(ctx(), 'Dockerfile'), dockerfile);
    await handOver(ctx());
    return kiln(['build', '--progress', 'plain', ...flags, ctx()]);
  };

  before(async () => {
    home = await makeHome('kiln-e2e-git-');
    const root = join(home, 'kiln');
    await writeBusyboxImage(await openStore({ root, env: {} }), 'base:1');
    await mkdir(ctx());
    const tls = join(home, 'tls');
    await mkdir(tls);
    const ca = await makeSelfSigned(tls, 'ca', '/CN=kiln e2e git CA');
    const cert = await makeServerCert(tls, ca);
    trustingPath = await gitPathTrusting(tls, ca.certFile);
    await handOver(home);
    kiln = kilnAs(home, root);
    // The repositories stay root's (outside the test user's home): http-backend runs as root.
    gitRoot = await mkdtemp(join(tmpdir(), 'kiln-e2e-git-repos-'));
    src = join(gitRoot, 'src');
    await mkdir(join(src, 'sub', 'deep'), { recursive: true });
    await git(gitRoot, 'init', '-q', '-b', 'main', src);
    await writeFile(join(src, 'hello.txt'), 'hello v1\n');
    await writeFile(join(src, 'run.sh'), '#!/bin/sh\necho hi\n', { mode: 0o755 });
    await writeFile(join(src, 'sub', 'deep', 'd.txt'), 'deep\n');
    await run('ln', ['-s', 'hello.txt', join(src, 'link')]);
    await git(src, 'add', '-A');
    await git(src, 'commit', '-q', '-m', 'one');
    await git(src, 'tag', '-a', 'v1', '-m', 'release 1');
    tagCommit = await git(src, 'rev-parse', 'HEAD');
    await git(gitRoot, 'clone', '-q', '--bare', src, join(gitRoot, 'repo.git'));
    await git(gitRoot, 'clone', '-q', '--bare', src, join(gitRoot, 'private.git'));
    const header = `basic ${Buffer.from(`x-access-token:${TOKEN}`).toString('base64')}`;
    server = await startGitHttpServer({ root: gitRoot, private: new Map([['private.git', header]]) });
    tlsServer = await startGitHttpServer({
      root: gitRoot,
      private: new Map([['private.git', header]]),
      tls: { key: cert.keyPem, cert: cert.certPem },
    });
  });

  after(async () => {
    await server?.close();
    await tlsServer?.close();
    for (const dir of [home, gitRoot]) {
      if (dir !== undefined) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    }
  });

  const mainDockerfile = () => `FROM base:1
ADD --keep-git-dir=true ${server.url}/repo.git#v1 /kept
ADD ${server.url}/repo.git#${tagCommit}:sub /sub
ADD --link --chmod=0600 ${server.url}/repo.git#v1:sub/deep /deep/
ADD --link ${server.url}/repo.git#v1:sub /linked
ADD --chown=1000:1001 ${server.url}/repo.git#main /plain/
`;

  it('checks out branches, tags, commits and subdirs with the owners, modes and times git and the flags give', async () => {
    const out = join(home, 'fs.tar');
    const result = await build(mainDockerfile(), '-t', 'git:1', '-o', `type=tar,dest=${out}`);
    assert.equal(result.code, 0, result.stderr);
    const tar = await listTar(out);
    const entry = (name: string) => {
      const e = tar.get(name);
      assert.ok(e !== undefined, `${name} missing from the image`);
      return e;
    };
    const time = new Date(COMMIT_TIME * 1000).toISOString().replace('T', ' ').replace('.000Z', '');
    // Branch, with --chown: every file the user's; modes as git records them; times of the commit.
    assert.deepEqual(
      ['plain/hello.txt', 'plain/run.sh', 'plain/sub/deep/d.txt'].map((n) => [
        n,
        entry(n).mode,
        entry(n).owner,
      ]),
      [
        ['plain/hello.txt', '-rw-r--r--', '1000/1001'],
        ['plain/run.sh', '-rwxr-xr-x', '1000/1001'],
        ['plain/sub/deep/d.txt', '-rw-r--r--', '1000/1001'],
      ],
    );
    assert.equal(entry('plain/hello.txt').time, time);
    assert.equal(entry('plain/link').link, 'hello.txt');
    assert.equal(entry('plain/link').mode[0], 'l');
    assert.equal(tar.has('plain/.git'), false, '.git is stripped by default');
    // Annotated tag with --keep-git-dir: the .git is there, owned by root, and names the tag's commit.
    assert.equal(entry('kept/hello.txt').owner, '0/0');
    assert.equal(entry('kept/.git').mode[0], 'd');
    const unpacked = join(home, 'unpacked');
    await mkdir(unpacked);
    await run('tar', ['-xf', out, '-C', unpacked, 'kept']);
    assert.equal(
      await git(unpacked, '--git-dir', join(unpacked, 'kept', '.git'), 'rev-parse', 'HEAD'),
      tagCommit,
    );
    // Commit with a subdir: only the subdir's contents.
    assert.equal(entry('sub/deep/d.txt').owner, '0/0');
    assert.equal(tar.has('sub/hello.txt'), false);
    // --link with --chmod (not linked then, as BuildKit) and a nested subdir; --link alone.
    assert.equal(entry('deep/d.txt').mode, '-rw-------');
    assert.equal(entry('linked/deep/d.txt').mode, '-rw-r--r--');
    assert.equal(tar.has('linked/.git'), false);
  });

  it('an unchanged branch is CACHED (nothing fetched); a moved branch rebuilds only its ADD', async () => {
    const before = server.commands.length;
    const again = await build(mainDockerfile(), '-t', 'git:1');
    assert.equal(again.code, 0, again.stderr);
    assert.equal(server.commands.slice(before).includes('fetch'), false, 'a cached build only lists refs');
    const unchanged = plainSteps(again.stderr);
    assert.deepEqual(unchanged.ran, []);
    assert.equal(unchanged.cached.filter((n) => n.includes(' ADD ')).length, 5, again.stderr);

    await writeFile(join(src, 'hello.txt'), 'hello v2\n');
    await git(src, 'commit', '-q', '-am', 'two');
    await git(src, 'push', '-q', join(gitRoot, 'repo.git'), 'main');
    const moved = await build(
      mainDockerfile(),
      '-t',
      'git:1',
      '-o',
      `type=tar,dest=${join(home, 'moved.tar')}`,
    );
    assert.equal(moved.code, 0, moved.stderr);
    const steps = plainSteps(moved.stderr);
    assert.deepEqual(
      steps.ran.map((n) => n.replace(/^\[[^\]]*\] /, '')),
      [`ADD --chown=1000:1001 ${server.url}/repo.git#main /plain/`],
    );
    assert.equal(steps.cached.length, 4);
    await run('tar', ['-xf', join(home, 'moved.tar'), '-C', join(home, 'unpacked'), 'plain/hello.txt']);
    assert.equal(await readFile(join(home, 'unpacked', 'plain', 'hello.txt'), 'utf8'), 'hello v2\n');
  });

  it('a --checksum that is not the ref’s commit fails before any step runs', async () => {
    const wrong = 'f'.repeat(40);
    const result = await build(`FROM base:1\nADD --checksum=${wrong} ${server.url}/repo.git#v1 /x\n`);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /E_DIGEST_MISMATCH/);
    assert.match(result.stderr, new RegExp(`expected checksum to match ${wrong}, got ${tagCommit}`));
    assert.deepEqual(plainSteps(result.stderr).ran, []);
    const right = await build(`FROM base:1\nADD --checksum=${tagCommit} ${server.url}/repo.git#v1 /x\n`);
    assert.equal(right.code, 0, right.stderr);
  });

  it('a private repository needs the GIT_AUTH_TOKEN secret, sent over https only', async () => {
    const withToken = ['build', '--progress', 'plain', '--secret', 'id=GIT_AUTH_TOKEN,env=TOKEN', ctx()];
    await writeFile(join(ctx(), 'Dockerfile'), `FROM base:1\nADD ${tlsServer.url}/private.git#v1 /p\n`);
    await handOver(ctx());
    const refused = await kiln(['build', '--progress', 'plain', ctx()], { env: { PATH: trustingPath } });
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /E_GIT/);
    assert.ok(tlsServer.refused.length > 0);
    const served = await kiln(withToken, { env: { TOKEN, PATH: trustingPath } });
    assert.equal(served.code, 0, served.stderr);
    assert.equal(served.stderr.includes(TOKEN), false, 'the token is never printed');
    // The same repository over plain http: the token is not sent, so the server refuses it.
    await writeFile(join(ctx(), 'Dockerfile'), `FROM base:1\nADD ${server.url}/private.git#v1 /p\n`);
    await handOver(ctx());
    const plain = await kiln(withToken, { env: { TOKEN } });
    assert.notEqual(plain.code, 0);
    assert.match(plain.stderr, /E_GIT/);
    assert.ok(server.refused.length > 0, 'the http server saw no credentials');
  });

  it('an ssh remote is fetched through the --ssh default agent', {
    skip: sshToolsMissing() ?? false,
  }, async () => {
    const keyDir = join(home, 'ssh-key');
    await mkdir(keyDir);
    const key = join(keyDir, 'id_ed25519');
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    const repo = join(home, 'ssh-repo.git');
    await git(gitRoot, 'clone', '-q', '--bare', join(gitRoot, 'repo.git'), repo);
    await handOver(keyDir);
    await handOver(repo);
    const sshd = await startUserSshd({
      user: TEST_USER,
      dir: join(home, 'sshd'),
      authorizedKey: await readFile(`${key}.pub`, 'utf8'),
    });
    try {
      const url = `ssh://${TEST_USER}@127.0.0.1:${sshd.port}${repo}#v1:sub`;
      const dockerfile = `FROM base:1\nADD ${url} /over-ssh\n`;
      const without = await build(dockerfile);
      assert.notEqual(without.code, 0, 'no agent, no access');
      assert.match(without.stderr, /E_GIT/);
      const out = join(home, 'ssh.tar');
      const result = await build(dockerfile, '--ssh', `default=${key}`, '-o', `type=tar,dest=${out}`);
      assert.equal(result.code, 0, result.stderr);
      assert.equal((await listTar(out)).get('over-ssh/deep/d.txt')?.owner, '0/0');
    } finally {
      await sshd.close();
    }
  });

  it('a user without subordinate ids gets the same owners', {
    skip: canRunAsTestUser(TEST_USER_NO_SUBIDS)
      ? false
      : 'needs the kilntest-noid user (scripts/setup-host.sh)',
  }, async () => {
    const noidHome = await makeHome('kiln-e2e-git-noid-');
    try {
      const root = join(noidHome, 'kiln');
      await writeBusyboxImage(await openStore({ root, env: {} }), 'base:1');
      await handOver(noidHome, TEST_USER_NO_SUBIDS);
      await writeFile(
        join(ctx(), 'Dockerfile'),
        `FROM base:1\nADD ${server.url}/repo.git#v1:sub /root-owned\nADD --chown=1000:1001 ${server.url}/repo.git#v1:sub /chowned\n`,
      );
      const out = join(noidHome, 'fs.tar');
      const result = await kilnAs(
        noidHome,
        root,
        TEST_USER_NO_SUBIDS,
      )(['build', '--progress', 'plain', '-o', `type=tar,dest=${out}`, ctx()]);
      assert.equal(result.code, 0, result.stderr);
      const tar = await listTar(out);
      assert.equal(tar.get('root-owned/deep/d.txt')?.owner, '0/0');
      assert.equal(tar.get('chowned/deep/d.txt')?.owner, '1000/1001');
    } finally {
      await rm(noidHome, { recursive: true, force: true }).catch(() => undefined);
    }
  });
});
