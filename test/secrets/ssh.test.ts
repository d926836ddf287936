import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isKilnError } from '../../src/errors.js';
import { startSshAgents } from '../../src/secrets/ssh-agents.js';
import { prepareSshMounts } from '../../src/secrets/ssh-mounts.js';
import { isEncryptedPrivateKey, parseSshSpec } from '../../src/secrets/ssh-spec.js';
import { openTmpfsScratch, type TmpfsScratch } from '../../src/secrets/tmpfs-scratch.js';

const hasSsh = (() => {
  try {
    execFileSync('sh', ['-c', 'command -v ssh-agent && command -v ssh-add && command -v ssh-keygen'], {
      stdio: 'ignore',
    });
    return true;
  } catch {
    return false;
  }
})();

function sshAddList(socket: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('ssh-add', ['-l'], { env: { PATH: process.env.PATH, SSH_AUTH_SOCK: socket } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d;
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d;
    });
    child.on('close', (code) => resolve({ code: code ?? -1, out }));
  });
}

describe('parseSshSpec', () => {
  it('reads default, ID=SOCKET and ID=KEY,KEY', () => {
    assert.deepEqual(parseSshSpec('default'), { id: 'default', paths: [] });
    assert.deepEqual(parseSshSpec('default=/run/a.sock'), { id: 'default', paths: ['/run/a.sock'] });
    assert.deepEqual(parseSshSpec('gh=/k1,/k2'), { id: 'gh', paths: ['/k1', '/k2'] });
    for (const bad of ['', '=x', 'a=', 'a=/k,', 'a b=/k']) {
      assert.throws(
        () => parseSshSpec(bad),
        (e: unknown) => isKilnError(e) && e.code === 'E_USAGE',
        bad,
      );
    }
  });
});

describe('ssh agents and mounts', { skip: !hasSsh && 'needs openssh-client' }, () => {
  let dir = '';
  let scratch: TmpfsScratch;
  let plainKey = '';
  let protectedKey = '';
  let pemProtected = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kiln-ssh-'));
    scratch = await openTmpfsScratch({ env: process.env, fallbackParent: dir });
    plainKey = join(dir, 'plain');
    protectedKey = join(dir, 'protected');
    pemProtected = join(dir, 'pem');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'kiln-plain-key', '-f', plainKey]);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'pass phrase', '-f', protectedKey]);
    execFileSync('ssh-keygen', [
      '-q',
      '-t',
      'rsa',
      '-b',
      '2048',
      '-m',
      'PEM',
      '-N',
      'pass phrase',
      '-f',
      pemProtected,
    ]);
  });
  after(async () => {
    await scratch?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('detects passphrase-protected keys (OpenSSH and PEM formats)', async () => {
    assert.equal(isEncryptedPrivateKey(await readFile(plainKey, 'utf8')), false);
    assert.equal(isEncryptedPrivateKey(await readFile(protectedKey, 'utf8')), true);
    assert.equal(isEncryptedPrivateKey(await readFile(pemProtected, 'utf8')), true);
  });

  it('starts a private agent with the key files, forwards it through a per-step socket, and stops it', async () => {
    const agents = await startSshAgents({
      specs: [parseSshSpec(`deploy=${plainKey}`)],
      env: process.env,
      scratch,
    });
    const socket = agents.socketOf('deploy')!;
    assert.ok(socket.startsWith(scratch.path));
    const listed = await sshAddList(socket);
    assert.equal(listed.code, 0, listed.out);
    assert.match(listed.out, /kiln-plain-key/);

    const step = await prepareSshMounts({
      mounts: [
        {
          type: 'ssh',
          id: 'deploy',
          target: '/run/buildkit/ssh_agent.0',
          required: true,
          mode: 0o600,
          uid: process.getuid!(),
          gid: process.getgid!(),
        },
        { type: 'ssh', id: 'absent', target: '/run/x', required: false, mode: 0o600, uid: 0, gid: 0 },
      ],
      agents,
      scratch,
      stepId: 'one',
    });
    assert.deepEqual(step.env, ['SSH_AUTH_SOCK=/run/buildkit/ssh_agent.0']);
    assert.equal(step.mounts.length, 1);
    const mount = step.mounts[0]!;
    assert.equal(mount.kind, 'bind');
    if (mount.kind !== 'bind') return;
    assert.equal((await stat(mount.source)).mode & 0o777, 0o600);
    const viaProxy = await sshAddList(mount.source);
    assert.match(viaProxy.out, /kiln-plain-key/);
    await step.cleanup();
    await assert.rejects(stat(mount.source));

    await assert.rejects(
      prepareSshMounts({
        mounts: [
          { type: 'ssh', id: 'absent', target: '/run/x', required: true, mode: 0o600, uid: 0, gid: 0 },
        ],
        agents,
        scratch,
        stepId: 'two',
      }),
      (e: unknown) => isKilnError(e) && e.code === 'E_SECRET' && /ssh absent is required/.test(e.message),
    );
    await agents.close();
    const afterClose = await sshAddList(socket);
    assert.notEqual(afterClose.code, 0, 'agent stopped');
  });

  it('uses the given socket (and SSH_AUTH_SOCK for default) without starting an agent', async () => {
    const own = await startSshAgents({ specs: [parseSshSpec(`k=${plainKey}`)], env: process.env, scratch });
    try {
      const sock = own.socketOf('k')!;
      const agents = await startSshAgents({
        specs: [parseSshSpec('default'), parseSshSpec(`other=${sock}`)],
        env: { ...process.env, SSH_AUTH_SOCK: sock },
        scratch,
      });
      assert.equal(agents.socketOf('default'), sock);
      assert.equal(agents.socketOf('other'), sock);
      await agents.close();
      assert.equal((await sshAddList(sock)).code, 0, 'a socket kiln did not start is left alone');
    } finally {
      await own.close();
    }
  });

  it('refuses passphrase-protected keys and a missing SSH_AUTH_SOCK with E_SECRET', async () => {
    await assert.rejects(
      startSshAgents({ specs: [parseSshSpec(`a=${protectedKey}`)], env: process.env, scratch }),
      (e: unknown) => isKilnError(e) && e.code === 'E_SECRET' && /passphrase/.test(e.message),
    );
    await assert.rejects(
      startSshAgents({ specs: [parseSshSpec('default')], env: { PATH: process.env.PATH }, scratch }),
      (e: unknown) => isKilnError(e) && e.code === 'E_SECRET' && /SSH_AUTH_SOCK/.test(e.message),
    );
  });
});
