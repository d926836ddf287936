import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sha256Digest } from '../../src/oci/digest.js';
import { chainId } from '../../src/worker/chains.js';
import { parseChmod } from '../../src/worker/modes.js';
import { parentDirs } from '../../src/worker/prune-upper.js';

test('chain IDs follow the OCI image spec: ChainID(L0)=DiffID(L0), ChainID(Ln)=sha256(ChainID(Ln-1) + " " + DiffID(Ln))', () => {
  const a = sha256Digest('a');
  const b = sha256Digest('b');
  const c = sha256Digest('c');
  assert.equal(chainId([]), undefined);
  assert.equal(chainId([a]), a);
  const ab = sha256Digest(`${a} ${b}`);
  assert.equal(chainId([a, b]), ab);
  assert.equal(chainId([a, b, c]), sha256Digest(`${ab} ${c}`));
  assert.notEqual(chainId([b, a]), chainId([a, b]));
});

test('--chmod: octal modes replace the bits of every node', () => {
  assert.equal(parseChmod(undefined, undefined), undefined);
  assert.equal(parseChmod('', undefined), undefined);
  assert.equal(parseChmod('640', undefined)?.({ mode: 0o777 }), 0o640);
  assert.equal(parseChmod('4755', undefined)?.({ mode: 0 }), 0o4755);
  assert.throws(() => parseChmod('u+q', undefined), { code: 'E_USAGE' });
});

test("--chmod: symbolic modes apply to each node's own mode as chmod(1) does", () => {
  const mode = (spec: string, node: { mode: number; type?: 'file' | 'directory' }) =>
    parseChmod(spec, undefined)?.(node).toString(8);
  assert.equal(mode('u=rwx,g=rx,o=', { mode: 0o644 }), '750');
  assert.equal(mode('u=rwx,go=rx', { mode: 0o600 }), '755');
  assert.equal(mode('a+x', { mode: 0o644 }), '755');
  assert.equal(mode('+x', { mode: 0o600 }), '711');
  assert.equal(mode('g-w,o-rwx', { mode: 0o775 }), '750');
  assert.equal(mode('o=u', { mode: 0o640 }), '646');
  assert.equal(mode('a+X', { mode: 0o644, type: 'file' }), '644');
  assert.equal(mode('a+X', { mode: 0o744, type: 'file' }), '755');
  assert.equal(mode('a+X', { mode: 0o700, type: 'directory' }), '711');
  assert.equal(mode('u+s,+t', { mode: 0o755 }), '5755');
  assert.equal(mode('u=rw', { mode: 0o4755 }), '655');
  assert.equal(mode('u-x+w,g=r', { mode: 0o500 }), '640');
});

test('mount point parents: every ancestor once, deepest first, never the root', () => {
  assert.deepEqual(parentDirs(['/etc/hosts', '/etc/resolv.conf', '/run/secrets/a/b', '/proc']), [
    '/run/secrets/a',
    '/run/secrets',
    '/etc',
    '/run',
  ]);
});
