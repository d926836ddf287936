/**
 * When `build()` settles, nothing of the build keeps the process alive (issue 6: a private ssh-agent's
 * pending SIGKILL timer held every `--ssh ID=KEYFILE` build 2 s past its end). A small program embeds
 * the library as the unprivileged test user, enters kiln's user namespace, and around `build()` reports
 * what keeps its event loop alive (process.getActiveResourcesInfo) and which child processes it has
 * (/proc/self/task/N/children): after the build both must be as before it. Tried: a build FROM a base in
 * a local registry (undici pools) with `RUN --mount=type=ssh` served by an agent kiln starts for a key
 * file, then the same build fully cached.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { registrySkip, startPlainRegistry, type TestRegistry } from '../harness/registry.js';
import { handOver, makeHome, pushBusyboxBase, writeTree } from '../helpers/build-e2e.js';
import { canRunAsTestUser } from '../helpers/cli.js';
import { installLibraryTool } from '../helpers/library-tool.js';

const run = promisify(execFile);

/** `tool.mjs ROOT CONTEXT KEYFILE` (after the namespace preamble): builds once, prints one JSON line. */
const TOOL = `import { readFileSync, readdirSync } from 'node:fs';
import { build } from 'kiln';

const [storeRoot, path, key] = process.argv.slice(2);
const children = () =>
  readdirSync('/proc/self/task').flatMap((t) =>
    readFileSync(\`/proc/self/task/\${t}/children\`, 'utf8').split(' ').filter((p) => p !== ''),
  );
// Handles closed (or requests finished) in this loop turn are released in its close phase: let it pass.
// stdout and stderr (pipes here) are created on first use: create them before the baseline.
const settled = async () => {
  void process.stdout;
  void process.stderr;
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
  return { resources: process.getActiveResourcesInfo().sort(), children: children() };
};
const before = await settled();
let outcome;
try {
  const result = await build({
    context: { kind: 'dir', path },
    storeRoot,
    env: process.env,
    ssh: [{ id: 'default', paths: [key] }],
  });
  outcome = { steps: result.steps, cachedSteps: result.cachedSteps };
} catch (error) {
  outcome = { error: { code: error.code, message: error.message } };
}
const after = await settled();
process.stdout.write(JSON.stringify({ ...outcome, before, after }) + '\\n');
`;

interface Snapshot {
  readonly resources: string[];
  readonly children: string[];
}

interface ToolOutput {
  readonly steps?: number;
  readonly cachedSteps?: number;
  readonly error?: { readonly code: string; readonly message: string };
  readonly before: Snapshot;
  readonly after: Snapshot;
}

function sshAgentMissing(): string | undefined {
  for (const tool of ['ssh-agent', 'ssh-add', 'ssh-keygen']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      return `${tool} is not installed (openssh-client)`;
    }
  }
  return undefined;
}

const skip = !canRunAsTestUser()
  ? 'needs root and the kilntest user (scripts/setup-host.sh)'
  : ((registrySkip() || sshAgentMissing()) ?? false);

describe('build() leaves nothing running once it settles (library, unprivileged)', {
  skip,
  timeout: 300_000,
}, () => {
  let home: string;
  let registry: TestRegistry;
  let useTool: () => Promise<ToolOutput>;

  before(async () => {
    home = await makeHome('kiln-e2e-exit-');
    registry = await startPlainRegistry();
    const base = await pushBusyboxBase(home, registry, 'exit/busybox:1');
    const tool = await installLibraryTool(home, TOOL);
    const key = join(home, 'key');
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    const ctx = join(home, 'ctx');
    await writeTree(ctx, {
      Dockerfile: `FROM ${base}\nRUN --mount=type=ssh test -S "$SSH_AUTH_SOCK" && echo agent > /agent.txt\n`,
    });
    await handOver(home);
    const root = join(home, 'kiln');
    useTool = () => tool<ToolOutput>(root, ctx, key);
  });

  after(async () => {
    await registry?.stop();
    if (home !== undefined) await rm(home, { recursive: true, force: true }).catch(() => undefined);
  });

  it('after a pull and a step that used a kiln-started ssh agent, then after the same build cached', async () => {
    const first = await useTool();
    assert.equal(first.error, undefined, JSON.stringify(first.error));
    assert.equal(first.cachedSteps, 0, 'the ssh step ran (so the agent was started)');
    assert.deepEqual(first.after, first.before, 'left running after an uncached build');

    const cached = await useTool();
    assert.equal(cached.error, undefined, JSON.stringify(cached.error));
    assert.equal(cached.cachedSteps, cached.steps, 'fully cached');
    assert.deepEqual(cached.after, cached.before, 'left running after a cached build');
  });
});
