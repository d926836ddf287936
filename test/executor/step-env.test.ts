import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ENV_CARRIER_PREFIX, envHandOver } from '../../src/executor/step-env.js';

const run = promisify(execFile);

/** Entries that shells or env's -S splitter would mangle if they were handled naively. */
const NASTY = [
  'PATH=/bin',
  "Q=it's",
  'a.b=x y',
  "we'ird\\ na me#=v$al",
  '#hash=1',
  'EMPTY=',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${…} that must survive unexpanded
  'MULTI=two\nlines ${HOME} \\ "q" $(id)',
  'IFS=x',
  'OPTIND=not-a-number',
  'dup=1',
  'dup=2',
];

describe('env hand-over (values off the command line)', () => {
  it('puts values only into carriers; the -S string holds names and references', () => {
    const h = envHandOver(NASTY);
    for (const [name, value] of Object.entries(h.carriers)) {
      assert.ok(name.startsWith(ENV_CARRIER_PREFIX));
      if (value.length > 2) assert.ok(!h.splitString.includes(value), `${value} leaked`);
    }
    assert.equal(Object.keys(h.carriers).length, NASTY.length);
    assert.match(h.splitString, /^PATH="\$\{__kiln_step_env_0\}" Q="\$\{__kiln_step_env_1\}" a\.b=/);
  });

  it('rejects entries without a name and names using the carrier prefix', () => {
    assert.throws(() => envHandOver(['=x']), { code: 'E_EXECUTOR' });
    assert.throws(() => envHandOver(['NOVALUE']), { code: 'E_EXECUTOR' });
    assert.throws(() => envHandOver([`${ENV_CARRIER_PREFIX}0=x`]), { code: 'E_EXECUTOR' });
  });

  it('GNU env -i -S rebuilds exactly the entries (later duplicates win)', {
    skip: !existsSync('/usr/bin/env') && 'no /usr/bin/env',
  }, async () => {
    const h = envHandOver(NASTY);
    const { stdout } = await run('/usr/bin/env', ['-i', '-S', h.splitString, '/usr/bin/env', '-0'], {
      env: { ...h.carriers, PATH: '/usr/bin:/bin', PWD: '/elsewhere' },
    });
    const got = stdout.split('\0').filter((e) => e !== '');
    const expected = NASTY.filter((e) => e !== 'dup=1');
    assert.deepEqual([...got].sort(), [...expected].sort());
  });
});
