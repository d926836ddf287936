/**
 * instructions_cases.json → `convert` (dockerfile2llb behaviours), through checkDockerfile.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkDockerfile } from '../../../src/dockerfile/stages/check-dockerfile.js';
import { addEnv, parseKeyValue } from '../../../src/dockerfile/stages/env-list.js';
import { stageLabels } from '../../../src/dockerfile/stages/labels.js';
import { instructionCases, thrown } from '../instructions/fixtures.js';

const convert = instructionCases().convert;

describe('convert conformance: cases', () => {
  convert.cases.forEach(
    (
      c: {
        dockerfile: string;
        target?: string;
        ok: boolean;
        error?: string;
        expected_final_label?: Record<string, string>;
      },
      i: number,
    ) => {
      it(`case ${i}: ${JSON.stringify(c.dockerfile).slice(0, 70)}${c.target ? ` (target ${c.target})` : ''}`, () => {
        const options = c.target === undefined ? {} : { target: c.target };
        if (!c.ok) {
          const err = thrown(() => checkDockerfile(c.dockerfile, options));
          assert.match(err.code, /^E_/);
          if (c.error !== undefined) assert.ok(err.message.includes(c.error), `${err.message} ⊉ ${c.error}`);
          return;
        }
        const result = checkDockerfile(c.dockerfile, options);
        if (c.target !== undefined) assert.equal(result.target.name, c.target.toLowerCase());
        if (c.expected_final_label !== undefined) {
          assert.deepEqual(stageLabels(result.stages, result.target.index), c.expected_final_label);
        }
      });
    },
  );

  it('COPY --from by name and by index both depend on stage 0', () => {
    const result = checkDockerfile(convert.cases[1].dockerfile);
    const last = result.stages[1]!;
    assert.deepEqual(
      last.instructions.flatMap((i) => i.sources),
      [
        { kind: 'stage', index: 0 },
        { kind: 'stage', index: 0 },
      ],
    );
    assert.deepEqual(result.reachable, [0, 1]);
  });
});

describe('convert conformance: add_env', () => {
  for (const c of convert.add_env.cases) {
    it(`${JSON.stringify(c.env)} + ${c.k}=${c.v}`, () => {
      assert.deepEqual(addEnv(c.env, c.k, c.v), c.expected);
    });
  }
});

describe('convert conformance: parse_key_value', () => {
  for (const c of convert.parse_key_value) {
    it(c.input, () => {
      assert.deepEqual(parseKeyValue(c.input), { key: c.key, value: c.value });
    });
  }
});
