import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderDiagnostic } from '../../src/diagnostics/render.js';

test('renders the offending line with a caret under the range', () => {
  const text = renderDiagnostic(
    {
      severity: 'error',
      code: 'E_UNKNOWN_INSTRUCTION',
      message: 'unknown instruction: RUNN',
      file: 'Dockerfile',
      range: { start: { line: 2, column: 1 }, end: { line: 2, column: 5 } },
    },
    { source: 'FROM busybox\nRUNN echo hi\n' },
  );
  assert.equal(
    text,
    [
      'error: unknown instruction: RUNN [E_UNKNOWN_INSTRUCTION]',
      ' --> Dockerfile:2:1',
      '  |',
      '2 | RUNN echo hi',
      '  | ^^^^',
      '',
    ].join('\n'),
  );
});

test('a range spanning lines underlines to the end of the first line', () => {
  const text = renderDiagnostic(
    {
      severity: 'warning',
      code: 'W_X',
      message: 'm',
      range: { start: { line: 1, column: 6 }, end: { line: 3, column: 2 } },
    },
    { source: 'FROM busybox\nx\ny' },
  );
  assert.match(text, /\n1 \| FROM busybox\n {2}\| {6}\^{7}\n$/);
});

test('without source only the location is shown', () => {
  const text = renderDiagnostic({
    severity: 'error',
    code: 'E',
    message: 'boom',
    file: 'x/Dockerfile',
    range: { start: { line: 9, column: 3 }, end: { line: 9, column: 4 } },
    hint: 'do this',
  });
  assert.equal(text, 'error: boom [E]\n --> x/Dockerfile:9:3\n  hint: do this\n');
});

test('very long source lines are clipped', () => {
  const text = renderDiagnostic(
    {
      severity: 'error',
      code: 'E_LINE_TOO_LONG',
      message: 'long',
      range: { start: { line: 1, column: 1 }, end: { line: 1, column: 70_001 } },
    },
    { source: `LABEL a=${'a'.repeat(70_000)}` },
  );
  assert.ok(text.length < 600, `rendered ${text.length} characters`);
  assert.match(text, /a…\n/);
});
