/**
 * kiln-idshift: the pure parts (command wrapping, cache naming), the build-time decision (fallback
 * with one warning when there is no compiler), and the compiled helper's behaviour on this host —
 * including a multi-threaded caller (the notification names a thread, not the process).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { appendFile, chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import {
  helperFileName,
  helperPath,
  type OwnerEmulation,
  prepareOwnerEmulation,
  wrapWithIdshift,
} from '../../src/idshift/index.js';
import { findProgram } from '../../src/userns/prerequisites.js';
import { compiledHelper, recordedOwner } from './compiled-helper.js';

const run = promisify(execFile);

describe('wrapWithIdshift', () => {
  const command = { program: '/usr/bin/unshare', args: ['--pid', '--', 'sh', '-c', 'x'] };
  it('leaves the command alone for native ownership', () => {
    assert.deepEqual(wrapWithIdshift(command, { kind: 'native' }), command);
  });
  it('puts the helper outermost, with the command after --', () => {
    const emulation: OwnerEmulation = { kind: 'seccomp', helper: '/k/kiln-idshift-1', fakeStat: true };
    assert.deepEqual(wrapWithIdshift(command, emulation), {
      program: '/k/kiln-idshift-1',
      args: ['--', '/usr/bin/unshare', '--pid', '--', 'sh', '-c', 'x'],
    });
    assert.deepEqual(wrapWithIdshift(command, { ...emulation, fakeStat: false }).args.slice(0, 2), [
      '--no-stat',
      '--',
    ]);
  });
});

describe('helper cache names', () => {
  it('depend on the source and the architecture, nothing else', () => {
    const a = helperFileName('int main(){}', 'x64');
    assert.match(a, /^kiln-idshift-[0-9a-f]{16}$/);
    assert.equal(helperFileName(Buffer.from('int main(){}'), 'x64'), a);
    assert.notEqual(helperFileName('int main(){return 1;}', 'x64'), a);
    assert.notEqual(helperFileName('int main(){}', 'arm64'), a);
    assert.equal(helperPath('/root/kiln', 'int main(){}', 'x64'), `/root/kiln/helpers/${a}`);
  });
});

describe('prepareOwnerEmulation', () => {
  let work: string;
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'kiln-idshift-unit-'));
  });
  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('native ownership needs no helper (nothing compiled, no warning)', async () => {
    const warnings: string[] = [];
    const emulation = await prepareOwnerEmulation({
      ownership: 'native',
      kilnRoot: join(work, 'native'),
      workDir: work,
      warn: (m) => warnings.push(m),
    });
    assert.deepEqual(emulation, { kind: 'native' });
    assert.deepEqual(warnings, []);
    await assert.rejects(stat(join(work, 'native')));
  });

  it('without a C compiler: today’s behaviour and exactly one clear warning', async () => {
    const empty = join(work, 'empty-path');
    await mkdir(empty);
    const warnings: { message: string; hint?: string }[] = [];
    const emulation = await prepareOwnerEmulation({
      ownership: 'xattr',
      kilnRoot: join(work, 'no-cc'),
      workDir: work,
      pathVar: empty,
      warn: (message, hint) => warnings.push({ message, ...(hint === undefined ? {} : { hint }) }),
    });
    assert.deepEqual(emulation, { kind: 'native' });
    assert.equal(warnings.length, 1);
    assert.match(
      warnings[0]!.message,
      /single-id mode: RUN steps cannot chown to other ids \(cannot compile/,
    );
    assert.match(warnings[0]!.hint ?? '', /gcc libc6-dev.*subordinate id range/);
  });
});

const cc = await findProgram('cc', process.env.PATH);
describe('the compiled helper', { skip: cc === undefined ? 'no C compiler (cc) installed' : false }, () => {
  let work: string;
  let helper: string;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'kiln-idshift-helper-'));
    helper = await compiledHelper(work);
  });
  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  const recorded = recordedOwner;

  it('is cached by source hash, reused, and replaced when others could write it', async () => {
    const again = await prepareOwnerEmulation({
      ownership: 'xattr',
      kilnRoot: work,
      workDir: work,
      warn: () => {},
    });
    assert.deepEqual(again, { kind: 'seccomp', helper, fakeStat: true });
    // Someone else could write it (and did): it must be rebuilt, not run.
    await chmod(helper, 0o777);
    await appendFile(helper, 'TAMPERED');
    await prepareOwnerEmulation({ ownership: 'xattr', kilnRoot: work, workDir: work, warn: () => {} });
    const rebuilt = await stat(helper);
    assert.equal(rebuilt.mode & 0o777, 0o755);
    assert.ok(
      !(await readFile(helper)).subarray(-8).equals(Buffer.from('TAMPERED')),
      'the tampered binary was replaced',
    );
  });

  it('a multi-threaded caller (libuv thread pool) gets its chown and stat emulated', async () => {
    const file = join(work, 'threaded');
    await writeFile(file, '');
    // fchown/fstat on a FileHandle run on a thread-pool thread: the descriptor is fetched through it
    const script = `require('fs').promises.open(${JSON.stringify(file)}).then(async (h) => { await h.chown(1000, 1001); const s = await h.stat(); console.log(s.uid + ':' + s.gid); })`;
    const { stdout } = await run(helper, ['--', process.execPath, '-e', script], { timeout: 20_000 });
    assert.equal(stdout.trim(), '1000:1001');
    assert.deepEqual(await recorded(file), { uid: 1000, gid: 1001 });
  });

  it('chown to 0:0 removes the record; -1 keeps the other id', async () => {
    const file = join(work, 'partial');
    await writeFile(file, '');
    await run(helper, ['--', 'chown', '7:8', file]);
    await run(helper, ['--', 'chown', ':9', file]);
    assert.deepEqual(await recorded(file), { uid: 7, gid: 9 });
    await run(helper, ['--', 'chown', '0:0', file]);
    assert.equal(await recorded(file), null);
  });

  it('special files: the chown succeeds, is not recorded, and one warning names the first', async () => {
    const dir = join(work, 'special');
    await mkdir(dir);
    const script = `cd ${dir} && mkfifo p && ln -s p l && chown 5:5 p && chown -h 6:6 l && echo done`;
    const { stdout, stderr } = await run(helper, ['--', 'sh', '-c', script]);
    assert.equal(stdout.trim(), 'done');
    assert.match(stderr, /2 chown call\(s\) could not be recorded .* first: .*special\/p\n$/);
  });

  it('--no-stat records owners but leaves stat alone', async () => {
    const file = join(work, 'nostat');
    await writeFile(file, '');
    const { stdout } = await run(helper, [
      '--no-stat',
      '--',
      'sh',
      '-c',
      `chown 3:4 ${file} && stat -c %u:%g ${file}`,
    ]);
    assert.equal(stdout.trim(), `${process.getuid?.()}:${process.getgid?.()}`);
    assert.deepEqual(await recorded(file), { uid: 3, gid: 4 });
  });

  it('exit status and signals of the program are passed on', async () => {
    await assert.rejects(run(helper, ['--', 'sh', '-c', 'exit 7']), (e: { code?: number }) => e.code === 7);
    await assert.rejects(
      run(helper, ['--', 'sh', '-c', 'kill -9 $$']),
      (e: { code?: number }) => e.code === 137,
    );
  });
});
