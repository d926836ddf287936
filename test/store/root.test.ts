import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveKilnRoot } from '../../src/store/root.js';

describe('resolveKilnRoot', () => {
  const env = { KILN_ROOT: '/k', XDG_DATA_HOME: '/xdg', HOME: '/home/u' };

  it('prefers the explicit root, resolved against cwd', () => {
    assert.equal(resolveKilnRoot({ root: '/explicit', env }), '/explicit');
    assert.equal(resolveKilnRoot({ root: 'rel', env, cwd: '/work' }), '/work/rel');
  });

  it('falls back to KILN_ROOT, then XDG_DATA_HOME/kiln, then ~/.local/share/kiln', () => {
    assert.equal(resolveKilnRoot({ env }), '/k');
    assert.equal(resolveKilnRoot({ env: { ...env, KILN_ROOT: '' } }), '/xdg/kiln');
    assert.equal(resolveKilnRoot({ env: { HOME: '/home/u' } }), '/home/u/.local/share/kiln');
    assert.equal(
      resolveKilnRoot({ env: { HOME: '/home/u', XDG_DATA_HOME: 'relative' } }),
      '/home/u/.local/share/kiln',
    );
    assert.equal(resolveKilnRoot({ env: {}, homeDir: '/h' }), '/h/.local/share/kiln');
  });

  it('refuses a relative home', () => {
    assert.throws(() => resolveKilnRoot({ env: { HOME: 'x' } }), { code: 'E_STORE' });
  });
});
