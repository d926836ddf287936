/**
 * Regression (issue 6): stopping the private ssh-agent left its 2 s SIGKILL fallback timer pending, so
 * every process that started an agent (`--ssh ID=KEYFILE`) lived 2 s past the end of its build. A fresh
 * Node process starts an agent with a key file, uses it, closes it, and then reports what still keeps
 * its event loop alive (process.getActiveResourcesInfo): it must be exactly what was there before the
 * agent was started — no timer, no child process, no pipe or socket.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

const sshMissing = (() => {
  try {
    execFileSync('sh', ['-c', 'command -v ssh-agent && command -v ssh-add && command -v ssh-keygen'], {
      stdio: 'ignore',
    });
    return undefined;
  } catch {
    return 'needs openssh-client (ssh-agent, ssh-add, ssh-keygen)';
  }
})();

const modules = {
  agents: fileURLToPath(new URL('../../src/secrets/ssh-agents.js', import.meta.url)),
  mounts: fileURLToPath(new URL('../../src/secrets/ssh-mounts.js', import.meta.url)),
  scratch: fileURLToPath(new URL('../../src/secrets/tmpfs-scratch.js', import.meta.url)),
};

/** `node probe.mjs KEY DIR`: prints { before, after, socketWorked } as one JSON line. */
const PROBE = `
import { connect } from 'node:net';
import { startSshAgents } from ${JSON.stringify(modules.agents)};
import { prepareSshMounts } from ${JSON.stringify(modules.mounts)};
import { openTmpfsScratch } from ${JSON.stringify(modules.scratch)};
const [key, dir] = process.argv.slice(2);
// Handles closed (or requests finished) in this loop turn are released in its close phase: let it pass.
const settled = async () => {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
  return process.getActiveResourcesInfo().sort();
};
// stdout and stderr are pipes here, created on first use: create them before the baseline.
void process.stdout;
void process.stderr;
const scratch = await openTmpfsScratch({ env: process.env, fallbackParent: dir });
const before = await settled();
const agents = await startSshAgents({ specs: [{ id: 'default', paths: [key] }], env: process.env, scratch });
const step = await prepareSshMounts({
  mounts: [{ type: 'ssh', id: 'default', target: '/run/ssh', required: true, mode: 0o600, uid: process.getuid(), gid: process.getgid() }],
  agents, scratch, stepId: 'probe',
});
// One round trip through the step's forwarder: SSH_AGENTC_REQUEST_IDENTITIES, answered by the agent.
const socketWorked = await new Promise((resolve) => {
  const client = connect(step.mounts[0].source);
  client.once('data', (reply) => { client.destroy(); resolve(reply.length > 5 && reply[4] === 12); });
  client.once('error', () => resolve(false));
  client.write(Buffer.from([0, 0, 0, 1, 11]));
});
await step.cleanup();
await agents.close();
await scratch.close();
const after = await settled();
process.stdout.write(JSON.stringify({ before, after, socketWorked }) + '\\n');
`;

describe('ssh agents leave nothing running once closed', { skip: sshMissing ?? false }, () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kiln-ssh-exit-'));
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'key')]);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('no timer, child or socket outlives close() of a private agent and a step forwarder', async () => {
    const probe = join(dir, 'probe.mjs');
    await writeFile(probe, PROBE);
    const { stdout } = await run(process.execPath, [probe, join(dir, 'key'), dir], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      timeout: 60_000,
    });
    const report = JSON.parse(stdout.trim()) as { before: string[]; after: string[]; socketWorked: boolean };
    assert.equal(report.socketWorked, true, 'the agent answered through the forwarder');
    assert.deepEqual(report.after, report.before, 'resources still active after close()');
  });
});
