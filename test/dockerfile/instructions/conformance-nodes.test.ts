/**
 * instructions_cases.json blocks that work on hand-built nodes or values (no Dockerfile text needed).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { handleJsonArgs } from '../../../src/dockerfile/instructions/command-line.js';
import { parsePortSpec } from '../../../src/dockerfile/instructions/expose-ports.js';
import { type FlagSpec, parseFlags } from '../../../src/dockerfile/instructions/flags.js';
import { parseInstruction } from '../../../src/dockerfile/instructions/parse-instruction.js';
import { parseDevice } from '../../../src/dockerfile/instructions/run-options.js';
import { ErrorCode } from '../../../src/errors.js';
import { instructionCases, node, thrown } from './fixtures.js';

const cases = instructionCases();
const site = { file: 'Dockerfile', range: { start: { line: 1, column: 1 }, end: { line: 1, column: 2 } } };

function template(t: string, name: string): string {
  return t.replace('%s', name);
}

describe('instructions conformance: argument counts', () => {
  for (const name of cases.exactly_one_argument.commands as string[]) {
    it(`${name} alone → exactly one argument`, () => {
      const err = thrown(() => parseInstruction(node({ keyword: name, original: name })));
      assert.equal(err.code, ErrorCode.DockerfileInstruction);
      assert.equal(err.message, template(cases.exactly_one_argument.error_template, name));
    });
  }
  for (const name of cases.at_least_one_argument.commands as string[]) {
    it(`${name} alone → at least one argument`, () => {
      const err = thrown(() => parseInstruction(node({ keyword: name, original: name })));
      assert.equal(err.code, ErrorCode.DockerfileInstruction);
      assert.equal(err.message, template(cases.at_least_one_argument.error_template, name));
    });
  }
  for (const name of cases.no_destination.commands as string[]) {
    it(`${name} arg1 → no destination`, () => {
      const err = thrown(() => parseInstruction(node({ keyword: name, args: ['arg1'] })));
      assert.equal(err.message, template(cases.no_destination.error_template, name));
    });
  }
  for (const name of cases.too_many_arguments.commands as string[]) {
    it(`${name} with a broken key/value chain → too many arguments`, () => {
      const err = thrown(() => parseInstruction(node({ keyword: name, args: ['arg1', 'arg2', 'arg3', ''] })));
      assert.equal(err.message, template(cases.too_many_arguments.error_template, name));
    });
  }
  for (const name of cases.blank_names.commands as string[]) {
    it(`${name} =arg2 → blank names`, () => {
      const err = thrown(() => parseInstruction(node({ keyword: name, args: ['', 'arg2', '='] })));
      assert.equal(err.message, template(cases.blank_names.error_template, name));
    });
  }
});

describe('instructions conformance: HEALTHCHECK', () => {
  it('shell-form CMD becomes CMD-SHELL', () => {
    const [keyword, ...args] = cases.healthcheck_cmd.node_chain as string[];
    const hc = parseInstruction(node({ keyword: keyword!, args }));
    assert.equal(hc.kind, 'healthcheck');
    if (hc.kind !== 'healthcheck' || hc.health.kind !== 'cmd') throw new Error('unreachable');
    assert.deepEqual(hc.health.test, cases.healthcheck_cmd.expected_test);
  });
  for (const c of cases.healthcheck_interval.cases) {
    it(`--interval=${c.value} ${c.ok ? 'accepted' : 'rejected'}`, () => {
      const make = () =>
        parseInstruction(
          node({ keyword: 'healthcheck', flags: [`--interval=${c.value}`], args: ['CMD', 'true'] }),
        );
      if (c.ok) {
        const hc = make();
        if (hc.kind !== 'healthcheck' || hc.health.kind !== 'cmd') throw new Error('not a healthcheck');
        assert.equal(hc.health.intervalNs, c.value === '1ms' ? 1e6 : 0);
      } else {
        const err = thrown(make);
        assert.equal(err.code, ErrorCode.DockerfileInstruction);
        assert.match(err.message, new RegExp(c.error_contains));
      }
    });
  }
});

describe('instructions conformance: run_flags_used', () => {
  it('records the flags a RUN used', () => {
    const run = parseInstruction(
      node({ keyword: 'run', flags: ['--mount=type=tmpfs,target=/foo/'], args: ['echo hello'] }),
    );
    assert.deepEqual(run.flagsUsed, cases.run_flags_used.expected_flags_used);
  });
});

describe('instructions conformance: run_device', () => {
  for (const c of cases.run_device.cases) {
    it(c.input, () => {
      if (c.error !== undefined) {
        assert.equal(thrown(() => parseDevice(c.input, site)).message, c.error);
      } else {
        assert.deepEqual(parseDevice(c.input, site), { name: c.name, required: c.required });
      }
    });
  }
});

describe('instructions conformance: builder_flags (BFlags)', () => {
  cases.builder_flags.cases.forEach(
    (
      c: {
        flags: Record<string, string | boolean>;
        args: string[];
        ok: boolean;
        values?: Record<string, unknown>;
        used?: string[];
        used_sorted?: string[];
      },
      i: number,
    ) => {
      it(`case ${i}: ${c.args.join(' ') || '(no args)'}`, () => {
        const spec: FlagSpec = Object.fromEntries(
          Object.entries(c.flags).map(([k, v]) =>
            typeof v === 'boolean' ? [k, { kind: 'bool', default: v }] : [k, { kind: 'string', default: v }],
          ),
        );
        if (!c.ok) {
          assert.equal(thrown(() => parseFlags(c.args, spec, site)).code, ErrorCode.UnknownFlag);
          return;
        }
        const parsed = parseFlags(c.args, spec, site);
        for (const [k, v] of Object.entries(c.values ?? {})) assert.equal(parsed.values[k], v, k);
        if (c.used !== undefined) assert.deepEqual(parsed.used, c.used);
        if (c.used_sorted !== undefined) assert.deepEqual([...parsed.used].sort(), c.used_sorted);
        if (c.values === undefined && c.args.length === 0) {
          for (const [k, v] of Object.entries(c.flags)) assert.equal(parsed.values[k], v, `default of ${k}`);
        }
      });
    },
  );
  it('repeatable flags collect every value; duplicates of others are errors', () => {
    const spec: FlagSpec = { mount: { kind: 'strings' }, link: { kind: 'bool' } };
    assert.deepEqual(parseFlags(['--mount=a', '--mount=b'], spec, site).values.mount, ['a', 'b']);
    assert.match(
      thrown(() => parseFlags(['--link', '--link'], spec, site)).message,
      /duplicate flag specified: --link/,
    );
    assert.match(thrown(() => parseFlags(['link'], spec, site)).message, /arg should start with --/);
  });
});

describe('instructions conformance: handle_json_args', () => {
  for (const c of cases.handle_json_args.cases) {
    it(`${JSON.stringify(c.args)} json=${c.json}`, () => {
      assert.deepEqual(handleJsonArgs(c.args, c.json), c.expected);
    });
  }
});

describe('instructions conformance: expose_ports', () => {
  for (const c of cases.expose_ports.cases) {
    const specs: string[] = c.specs ?? [c.spec];
    it(c.name ?? specs.join(' '), () => {
      const results = specs.map((s) => parsePortSpec(s));
      if (c.error !== undefined) {
        assert.ok(
          results.some((r) => !r.ok),
          'expected a failure',
        );
        if (typeof c.error === 'string') {
          const failure = results.find((r) => !r.ok);
          assert.equal(failure && !failure.ok ? failure.error : '', c.error);
        }
        return;
      }
      const ports = results.flatMap((r) => {
        if (!r.ok) throw new Error(r.error);
        return r.ports;
      });
      assert.deepEqual(ports, c.expected);
    });
  }
});
