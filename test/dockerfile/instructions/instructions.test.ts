/**
 * parseInstruction on hand-built nodes: each instruction's shape, flags and errors.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseGoDuration } from '../../../src/dockerfile/instructions/duration.js';
import { parseInstruction } from '../../../src/dockerfile/instructions/parse-instruction.js';
import { ErrorCode, type KilnError } from '../../../src/errors.js';
import { node, thrown } from './fixtures.js';

function fails(init: Parameters<typeof node>[0]): { code: string; message: string } {
  return thrown(() => parseInstruction(node(init)));
}

describe('flags on instructions', () => {
  it('instructions without flags reject any flag; errors are located', () => {
    for (const keyword of [
      'cmd',
      'entrypoint',
      'env',
      'label',
      'user',
      'workdir',
      'volume',
      'expose',
      'shell',
      'arg',
      'stopsignal',
    ]) {
      const init = {
        keyword,
        flags: ['--nope'],
        args: keyword === 'env' || keyword === 'label' ? ['a', 'b', '='] : ['x'],
        line: 7,
      };
      const err = thrown(() => parseInstruction(node(init), { file: 'ctx/Dockerfile' })) as KilnError;
      assert.equal(err.code, ErrorCode.UnknownFlag, keyword);
      assert.equal(err.message, 'unknown flag: --nope');
      assert.equal(err.location?.file, 'ctx/Dockerfile');
      assert.equal(err.location?.range.start.line, 7);
    }
  });

  it('COPY and ADD take their own flag sets', () => {
    assert.equal(
      fails({ keyword: 'copy', flags: ['--checksum=sha256:x'], args: ['a', 'b'] }).message,
      'unknown flag: --checksum',
    );
    assert.equal(
      fails({ keyword: 'add', flags: ['--from=x'], args: ['a', 'b'] }).message,
      'unknown flag: --from',
    );
    assert.equal(
      fails({ keyword: 'copy', flags: ['--link=maybe'], args: ['a', 'b'] }).code,
      ErrorCode.UnknownFlag,
    );
    assert.equal(
      fails({ keyword: 'copy', flags: ['--from=a', '--from=b'], args: ['a', 'b'] }).message,
      'duplicate flag specified: --from',
    );
    const add = parseInstruction(node({ keyword: 'add', flags: ['--unpack'], args: ['a.tar', '/'] }));
    assert.equal(add.kind === 'add' ? add.unpack : undefined, true);
    const plain = parseInstruction(node({ keyword: 'add', args: ['a.tar', '/'] }));
    assert.equal(plain.kind === 'add' ? plain.unpack : 'x', undefined);
  });

  it('accepts `--flag value` handed over as two words', () => {
    const copy = parseInstruction(node({ keyword: 'copy', flags: ['--from', 'build'], args: ['a', 'b'] }));
    assert.equal(copy.kind === 'copy' ? copy.from : undefined, 'build');
  });
});

describe('RUN options', () => {
  it('--network and --security values are validated', () => {
    assert.match(
      fails({ keyword: 'run', flags: ['--network=bridge'], args: ['x'] }).message,
      /unsupported network mode "bridge"/,
    );
    assert.match(
      fails({ keyword: 'run', flags: ['--security=privileged'], args: ['x'] }).message,
      /unsupported security mode/,
    );
    const run = parseInstruction(
      node({ keyword: 'run', flags: ['--network=host', '--security=insecure'], args: ['x'] }),
    );
    assert.deepEqual(run.kind === 'run' ? [run.network, run.security] : undefined, ['host', 'insecure']);
  });

  it('exec form keeps the JSON elements', () => {
    const run = parseInstruction(node({ keyword: 'run', args: ['ls', '-l'], json: true }));
    assert.deepEqual(run.kind === 'run' ? run.command : undefined, {
      form: 'exec',
      args: ['ls', '-l'],
      files: [],
    });
  });
});

describe('HEALTHCHECK', () => {
  it('parses every duration flag and the retries', () => {
    const hc = parseInstruction(
      node({
        keyword: 'healthcheck',
        flags: [
          '--interval=1m30s',
          '--timeout=1.5s',
          '--start-period=0',
          '--start-interval=250ms',
          '--retries=5',
        ],
        args: ['CMD', 'curl', '-f', 'http://localhost/'],
        json: true,
      }),
    );
    if (hc.kind !== 'healthcheck' || hc.health.kind !== 'cmd') throw new Error('not a CMD healthcheck');
    assert.deepEqual(hc.health, {
      kind: 'cmd',
      test: ['CMD', 'curl', '-f', 'http://localhost/'],
      intervalNs: 90e9,
      timeoutNs: 1.5e9,
      startPeriodNs: 0,
      startIntervalNs: 250e6,
      retries: 5,
    });
  });

  it('rejects bad input with BuildKit messages', () => {
    assert.equal(
      fails({ keyword: 'healthcheck', args: ['NONE', 'x'] }).message,
      'HEALTHCHECK NONE takes no arguments',
    );
    assert.equal(
      fails({ keyword: 'healthcheck', args: ['PING', 'x'] }).message,
      'Unknown type "PING" in HEALTHCHECK (try CMD)',
    );
    assert.equal(
      fails({ keyword: 'healthcheck', args: ['CMD'] }).message,
      'Missing command after HEALTHCHECK CMD',
    );
    assert.equal(
      fails({ keyword: 'healthcheck', flags: ['--retries=-1'], args: ['CMD', 'x'] }).message,
      '--retries cannot be negative (-1)',
    );
    assert.match(
      fails({ keyword: 'healthcheck', flags: ['--retries=x'], args: ['CMD', 'x'] }).message,
      /--retries/,
    );
    assert.match(
      fails({ keyword: 'healthcheck', flags: ['--timeout=5'], args: ['CMD', 'x'] }).message,
      /invalid duration/,
    );
    assert.match(
      fails({ keyword: 'healthcheck', flags: ['--timeout=-1s'], args: ['CMD', 'x'] }).message,
      /cannot be less than 1ms/,
    );
    assert.equal(
      fails({ keyword: 'healthcheck', flags: ['--color=red'], args: ['CMD', 'x'] }).code,
      ErrorCode.UnknownFlag,
    );
  });

  it('reads Go durations', () => {
    assert.equal(parseGoDuration('1h2m3s'), 3723e9);
    assert.equal(parseGoDuration('1.5us'), 1500);
    assert.equal(parseGoDuration('3µs'), 3000);
    assert.equal(parseGoDuration('0'), 0);
    for (const bad of ['', '1', 's', '1d', '1.s.', '--1s'])
      assert.equal(parseGoDuration(bad), undefined, bad);
  });
});

describe('other instructions', () => {
  it('ONBUILD forbids ONBUILD, FROM and MAINTAINER triggers and keeps the expression', () => {
    const child = (keyword: string) => node({ keyword, args: ['x'] });
    assert.equal(
      fails({ keyword: 'onbuild', child: child('maintainer') }).message,
      "MAINTAINER isn't allowed as an ONBUILD trigger",
    );
    assert.equal(
      fails({ keyword: 'onbuild', child: child('from') }).message,
      "FROM isn't allowed as an ONBUILD trigger",
    );
    const ob = parseInstruction(
      node({ keyword: 'onbuild', child: child('copy'), original: 'onbuild   COPY x /' }),
    );
    assert.deepEqual(ob.kind === 'onbuild' ? [ob.trigger, ob.expression] : undefined, ['COPY', 'COPY x /']);
  });

  it('SHELL must be JSON', () => {
    assert.equal(
      fails({ keyword: 'shell', args: ['/bin/sh -c'] }).message,
      'SHELL requires the arguments to be in JSON form',
    );
    assert.equal(
      fails({ keyword: 'shell', args: [], json: true }).message,
      'SHELL requires at least one argument',
    );
  });

  it('VOLUME entries may not be blank; EXPOSE keeps sorted words', () => {
    assert.equal(
      fails({ keyword: 'volume', args: ['/a', ' '], json: true }).message,
      'VOLUME specified can not be an empty string',
    );
    const expose = parseInstruction(node({ keyword: 'expose', args: ['8080', '443/tcp', '80'] }));
    assert.deepEqual(expose.kind === 'expose' ? expose.ports : undefined, ['443/tcp', '80', '8080']);
  });

  it('ARG: several k[=v], blank names rejected', () => {
    const arg = parseInstruction(node({ keyword: 'arg', args: ['A', 'B=', 'C=x=y'] }));
    assert.deepEqual(arg.kind === 'arg' ? arg.args : undefined, [
      { key: 'A', comment: '' },
      { key: 'B', value: '', comment: '' },
      { key: 'C', value: 'x=y', comment: '' },
    ]);
    assert.equal(fails({ keyword: 'arg', args: ['=x'] }).message, 'ARG names can not be blank');
  });

  it('ENV keeps both forms; FROM needs one or three words', () => {
    const env = parseInstruction(node({ keyword: 'env', args: ['A', '1', '=', 'B', 'two words', ''] }));
    assert.deepEqual(env.kind === 'env' ? env.env : undefined, [
      { key: 'A', value: '1', legacy: false },
      { key: 'B', value: 'two words', legacy: true },
    ]);
    assert.equal(fails({ keyword: 'from', args: [] }).message, 'FROM requires either one or three arguments');
    assert.equal(
      fails({ keyword: 'from', args: ['a', 'to', 'b'] }).message,
      'FROM requires either one or three arguments',
    );
  });

  it('unknown instructions: E_UNKNOWN_INSTRUCTION with a suggestion', () => {
    const err = thrown(() => parseInstruction(node({ keyword: 'RUNN', args: ['x'] }))) as KilnError;
    assert.equal(err.code, ErrorCode.UnknownInstruction);
    assert.equal(err.message, 'unknown instruction: RUNN');
    assert.equal(err.hint, 'did you mean RUN?');
    assert.ok(err.location !== undefined);
  });

  it('the keyword as written is kept for casing checks', () => {
    assert.equal(parseInstruction(node({ keyword: 'run', args: ['x'], original: 'Run x' })).keyword, 'Run');
  });
});
