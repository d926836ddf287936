/**
 * End-to-end cache behaviour of `kiln build` (real CLI as the unprivileged test user, plain progress):
 * an unchanged rebuild is all CACHED and unpacks nothing (new file times and proxy args change
 * nothing either); a changed context file rebuilds from its COPY
 * on; a changed build arg rebuilds only the steps that use it; a moved base image rebuilds everything
 * on it; --no-cache and --no-cache-filter. Then a failing RUN: exit code, Dockerfile line with a caret,
 * and the step's last output lines.
 */
import assert from 'node:assert/strict';
import { mkdir, readdir, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openStore } from '../../src/store/local-store.js';
import { handOver, type KilnAsUser, kilnAs, makeHome, plainSteps, writeTree } from '../helpers/build-e2e.js';
import { writeBusyboxImage } from '../helpers/busybox-image.js';
import { canRunAsTestUser } from '../helpers/cli.js';

const DOCKERFILE = `FROM base:1 AS deps
RUN echo deps > /deps.txt

FROM base:1
RUN echo prepare > /prepare.txt
COPY a.txt /a.txt
ARG FLAVOR=plain
COPY b.txt /b.txt
RUN echo "flavor=$FLAVOR" > /flavor.txt
COPY --from=deps /deps.txt /deps.txt
`;

const DEPS = '[deps 2/2] RUN echo deps > /deps.txt';
const PREPARE = '[stage-1 2/6] RUN echo prepare > /prepare.txt';
const COPY_A = '[stage-1 3/6] COPY a.txt /a.txt';
const COPY_B = '[stage-1 4/6] COPY b.txt /b.txt';
const FLAVOR = '[stage-1 5/6] RUN echo "flavor=$FLAVOR" > /flavor.txt';
const COPY_DEPS = '[stage-1 6/6] COPY --from=deps /deps.txt /deps.txt';
const ALL = [DEPS, PREPARE, COPY_A, COPY_B, FLAVOR, COPY_DEPS];

const skip = canRunAsTestUser() ? false : 'needs root and the kilntest user (scripts/setup-host.sh)';

describe('kiln build cache, end to end (unprivileged, plain progress)', { skip, timeout: 600_000 }, () => {
  let home: string;
  let root: string;
  let ctx: string;
  let kiln: KilnAsUser;

  /** Builds the context; returns the steps that ran and those that were CACHED (sorted by name). */
  const build = async (...flags: string[]) => {
    const result = await kiln(['build', '--progress', 'plain', '-t', 'app:1', ...flags, ctx]);
    assert.equal(result.code, 0, result.stderr);
    const steps = plainSteps(result.stderr);
    return { ran: steps.ran.sort(), cached: steps.cached.sort(), stderr: result.stderr };
  };
  const sorted = (names: readonly string[]) => [...names].sort();

  before(async () => {
    home = await makeHome('kiln-e2e-cache-');
    root = join(home, 'kiln');
    await writeBusyboxImage(await openStore({ root, env: {} }), 'base:1');
    ctx = join(home, 'ctx');
    await writeTree(ctx, { Dockerfile: DOCKERFILE, 'a.txt': 'a1\n', 'b.txt': 'b1\n' });
    await handOver(home);
    kiln = kilnAs(home, root);
  });

  after(async () => {
    if (home !== undefined) await rm(home, { recursive: true, force: true }).catch(() => undefined);
  });

  it('first build runs every step; an unchanged rebuild is all CACHED, same image, nothing unpacked', async () => {
    const first = await build();
    assert.deepEqual(first.ran, sorted(ALL));
    assert.deepEqual(first.cached, []);
    const id = (await kiln(['images', '-q', 'app:1'])).stdout.trim();
    assert.match(id, /^[0-9a-f]{12}$/);

    // Every unpacked layer and flattened chain is moved aside: a build that needed any rootfs would
    // make them again.
    const snapshots = join(root, 'snapshots');
    for (const dir of ['layers', 'chains']) await rename(join(snapshots, dir), join(home, `old-${dir}`));
    const again = await build();
    assert.deepEqual(again.ran, []);
    assert.deepEqual(again.cached, sorted(ALL));
    for (const dir of ['layers', 'chains']) {
      const made = await readdir(join(snapshots, dir), { recursive: true }).catch(() => []);
      assert.deepEqual(made, [], `a full cache hit made ${dir}: ${made.join(', ')}`);
    }
    assert.equal((await kiln(['images', '-q', 'app:1'])).stdout.trim(), id);
  });

  it('new file times without new content, and proxy build args, change no cache key', async () => {
    const later = new Date(Date.now() + 3_600_000);
    for (const name of ['a.txt', 'b.txt']) await utimes(join(ctx, name), later, later);
    const result = await build('--build-arg', 'HTTP_PROXY=http://127.0.0.1:9', '--build-arg', 'no_proxy=x');
    assert.deepEqual(result.ran, []);
    assert.deepEqual(result.cached, sorted(ALL));
  });

  it('one changed context file rebuilds from its COPY on', async () => {
    await writeFile(join(ctx, 'a.txt'), 'a2\n');
    const result = await build();
    assert.deepEqual(result.cached, sorted([DEPS, PREPARE]));
    assert.deepEqual(result.ran, sorted([COPY_A, COPY_B, FLAVOR, COPY_DEPS]));
  });

  it('a changed build arg rebuilds only the steps that use it (and what stands on them)', async () => {
    const result = await build('--build-arg', 'FLAVOR=spicy');
    assert.deepEqual(result.ran, sorted([FLAVOR, COPY_DEPS]));
    assert.deepEqual(result.cached, sorted([DEPS, PREPARE, COPY_A, COPY_B]));
  });

  it('--no-cache-filter STAGE rebuilds that stage only; --no-cache rebuilds everything', async () => {
    const filtered = await build('--build-arg', 'FLAVOR=spicy', '--no-cache-filter', 'deps');
    assert.deepEqual(filtered.ran, [DEPS]);
    assert.deepEqual(filtered.cached, sorted([PREPARE, COPY_A, COPY_B, FLAVOR, COPY_DEPS]));
    const none = await build('--build-arg', 'FLAVOR=spicy', '--no-cache');
    assert.deepEqual(none.ran, sorted(ALL));
    assert.deepEqual(none.cached, []);
  });

  it('a moved base image (re-tagged with a new layer) rebuilds every step that stands on it', async () => {
    const moved = join(home, 'moved');
    await mkdir(moved);
    await writeFile(join(moved, 'Dockerfile'), 'FROM base:1\nRUN echo moved > /moved.txt\n');
    await handOver(moved);
    const retag = await kiln(['build', '-q', '-t', 'base:1', moved]);
    assert.equal(retag.code, 0, retag.stderr);
    const result = await build('--build-arg', 'FLAVOR=spicy');
    assert.deepEqual(result.ran, sorted(ALL));
    assert.deepEqual(result.cached, []);
  });

  it('a failed RUN prints its exit code, the Dockerfile line with a caret and its last output lines', async () => {
    const failing = join(home, 'failing');
    await writeTree(failing, {
      Dockerfile: [
        'FROM base:1',
        'RUN echo fine > /fine.txt',
        'RUN for i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo "output line $i"; done; echo "to stderr" >&2; exit 3',
        'RUN echo never',
        '',
      ].join('\n'),
    });
    await handOver(failing);
    const result = await kiln(['build', '--progress', 'plain', failing]);
    assert.equal(result.code, 1);
    const err = result.stderr;
    assert.match(err, /did not complete successfully: exit code: 3/);
    assert.match(err, /output line 12/);
    assert.match(err, /to stderr/);
    assert.doesNotMatch(err, /never\n/);
    // The Dockerfile excerpt: line 3 with a caret line under the whole instruction.
    const lines = err.split('\n');
    const at = lines.findIndex((l) => /^\s*3 \| RUN for i in/.test(l));
    assert.ok(at >= 0, `no Dockerfile line 3 in:\n${err}`);
    assert.match(lines[at + 1] ?? '', /^\s*\| \^{20,}$/, `no caret under line 3:\n${err}`);
    assert.match(err, /Dockerfile:3/);
  });
});
