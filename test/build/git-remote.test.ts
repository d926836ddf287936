/**
 * ADD <git url> input checks and ls-remote reading (pure), the git environment, and the ADD source
 * classification they build on.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gitEnvironment } from '../../src/build/git-command.js';
import {
  checkGitRef,
  cleanSubdir,
  gitRemote,
  redactUrls,
  resolveLsRemote,
} from '../../src/build/git-remote.js';
import { parseGitSource } from '../../src/dockerfile/instructions/remote-source.js';
import { ErrorCode, KilnError } from '../../src/errors.js';

const isGitError = (error: unknown) => error instanceof KilnError && error.code === ErrorCode.Git;

describe('ADD git source classification', () => {
  it('splits <url>#<ref>:<subdir> for every git URL form', () => {
    assert.deepEqual(parseGitSource('https://github.com/o/r.git#v1.2:docs/api'), {
      url: 'https://github.com/o/r.git',
      ref: 'v1.2',
      subdir: 'docs/api',
    });
    assert.deepEqual(parseGitSource('git@github.com:o/r.git#main'), {
      url: 'git@github.com:o/r.git',
      ref: 'main',
    });
    assert.deepEqual(parseGitSource('git://127.0.0.1:9418/r.git#:sub'), {
      url: 'git://127.0.0.1:9418/r.git',
      subdir: 'sub',
    });
    assert.deepEqual(parseGitSource('ssh://git@host/o/r'), { url: 'ssh://git@host/o/r' });
    for (const notGit of [
      'https://example.com/file.tar.gz',
      'file:///tmp/r.git',
      'ext::sh -c x',
      'src/dir',
    ]) {
      assert.equal(parseGitSource(notGit), undefined, notGit);
    }
  });
});

describe('gitRemote', () => {
  it('accepts https, http, git, ssh, git+ssh and scp-like remotes, with the host for auth secrets', () => {
    assert.deepEqual(gitRemote('https://github.com/o/r.git'), {
      url: 'https://github.com/o/r.git',
      transport: 'https',
      host: 'github.com',
      display: 'https://github.com/o/r.git',
    });
    assert.equal(gitRemote('http://127.0.0.1:8080/r.git').host, '127.0.0.1:8080');
    assert.equal(gitRemote('git://host/r.git').transport, 'git');
    assert.deepEqual(gitRemote('git+ssh://git@host:2222/o/r.git'), {
      url: 'ssh://git@host:2222/o/r.git',
      transport: 'ssh',
      host: 'host:2222',
      display: 'ssh://git@host:2222/o/r.git',
    });
    assert.equal(gitRemote('git@github.com:o/r.git').transport, 'ssh');
    assert.equal(gitRemote('https://user:tok@host/r.git').display, 'https://host/r.git');
  });

  it('refuses options, remote helpers, local transports, bad hosts and control characters', () => {
    for (const hostile of [
      '-uhelp',
      '--upload-pack=touch /tmp/x',
      'ext::sh -c touch% /tmp/pwned',
      'fd::3',
      'file:///etc/r.git',
      'ftp://host/r.git',
      'git@-oProxyCommand=touch /tmp/x:o/r.git',
      'git@host:-r.git',
      'ssh://-oProxyCommand=x/r.git',
      'ssh://-oProxyCommand@host/r.git',
      'https://host/r.git\nx',
      'https://host/r .git',
      'https://host/r.git?ref=main&subdir=x',
      '',
    ]) {
      assert.throws(() => gitRemote(hostile), isGitError, JSON.stringify(hostile));
    }
  });

  it('redacts passwords in URLs inside messages', () => {
    assert.equal(
      redactUrls("fatal: unable to access 'https://me:s3cret@host/r.git/': 403"),
      "fatal: unable to access 'https://***@host/r.git/': 403",
    );
  });
});

describe('checkGitRef and cleanSubdir', () => {
  it('accepts branch, tag, refs/… and commit names', () => {
    for (const ref of [
      'main',
      'feature/x',
      'v1.0.2',
      'refs/pull/42/head',
      'a'.repeat(40),
      'release-2024_1',
    ]) {
      assert.doesNotThrow(() => checkGitRef(ref), ref);
    }
  });

  it('refuses refs git could read as options or revision expressions', () => {
    for (const ref of [
      '-main',
      '--upload-pack=x',
      'a..b',
      'HEAD~1',
      'x^{tree}',
      'a:b',
      'x@{1}',
      'a b',
      'x.lock',
      '.x',
      '/x',
      'a//b',
      'x*',
    ]) {
      assert.throws(() => checkGitRef(ref), isGitError, ref);
    }
  });

  it('makes subdirs relative and refuses ones that leave the repository', () => {
    assert.equal(cleanSubdir(undefined), '');
    assert.equal(cleanSubdir('/docs/api/'), 'docs/api');
    assert.equal(cleanSubdir('./a/./b'), 'a/b');
    assert.equal(cleanSubdir('.'), '');
    assert.throws(() => cleanSubdir('../x'), isGitError);
    assert.throws(() => cleanSubdir('a/../../x'), isGitError);
    assert.throws(() => cleanSubdir('a\nb'), isGitError);
  });
});

describe('resolveLsRemote', () => {
  const c = (n: number) => String(n).repeat(40);
  const listing = [
    `${c(1)}\tHEAD`,
    `${c(1)}\trefs/heads/main`,
    `${c(2)}\trefs/heads/v1`,
    `${c(3)}\trefs/tags/v1`,
    `${c(4)}\trefs/tags/ann`,
    `${c(5)}\trefs/tags/ann^{}`,
    `${c(6)}\trefs/pull/42/head`,
    '',
  ].join('\n');

  it('finds HEAD, tags before branches, peels annotated tags, and takes refs/… names exactly', () => {
    assert.deepEqual(resolveLsRemote(listing, undefined), { commit: c(1), name: 'HEAD' });
    assert.deepEqual(resolveLsRemote(listing, 'main'), {
      commit: c(1),
      name: 'refs/heads/main',
      branch: 'main',
    });
    assert.deepEqual(resolveLsRemote(listing, 'v1'), { commit: c(3), name: 'refs/tags/v1' });
    assert.deepEqual(resolveLsRemote(listing, 'ann'), { commit: c(5), name: 'refs/tags/ann' });
    assert.deepEqual(resolveLsRemote(listing, 'refs/heads/v1'), {
      commit: c(2),
      name: 'refs/heads/v1',
      branch: 'v1',
    });
    assert.deepEqual(resolveLsRemote(listing, 'pull/42/head'), { commit: c(6), name: 'refs/pull/42/head' });
    assert.equal(resolveLsRemote(listing, 'missing'), undefined);
  });
});

describe('gitEnvironment', () => {
  it('ignores system and global config, disables prompts, hooks, auto gc and other transports; auth only in the env', () => {
    const env = gitEnvironment({
      home: '/w/home',
      ceiling: '/w',
      authHeader: { scope: 'https://host/', value: 'Authorization: basic eA==' },
    });
    assert.equal(env.GIT_CONFIG_NOSYSTEM, '1');
    assert.equal(env.GIT_CONFIG_GLOBAL, '/dev/null');
    assert.equal(env.GIT_TERMINAL_PROMPT, '0');
    assert.equal(env.GIT_ALLOW_PROTOCOL, 'https:http:git:ssh');
    assert.equal(env.HOME, '/w/home');
    const config = new Map(
      Array.from({ length: Number(env.GIT_CONFIG_COUNT) }, (_, i) => [
        env[`GIT_CONFIG_KEY_${i}`],
        env[`GIT_CONFIG_VALUE_${i}`],
      ]),
    );
    assert.equal(config.get('core.hooksPath'), '/dev/null');
    assert.equal(config.get('gc.auto'), '0', 'no gc left writing in the tree');
    assert.equal(config.get('maintenance.auto'), 'false');
    assert.equal(config.get('http.https://host/.extraHeader'), 'Authorization: basic eA==');
    assert.equal(env.SSH_AUTH_SOCK, undefined);
    assert.equal(gitEnvironment({ home: '/h', ceiling: '/', sshSocket: '/s.sock' }).SSH_AUTH_SOCK, '/s.sock');
    assert.match(env.GIT_SSH_COMMAND!, /^ssh -F \/dev\/null /);
  });
});
