/**
 * Splits one CSV record (as Go's encoding/csv reads `--mount` and `--device` values): comma separated,
 * `"` quotes a whole field, `""` inside quotes is a quote, a bare quote in an unquoted field is an error.
 */

/** The fields, or an error message (no exception, so callers can attach their own location). */
export type CsvResult =
  | { readonly ok: true; readonly fields: readonly string[] }
  | { readonly ok: false; readonly error: string };

export function splitCsvRecord(text: string): CsvResult {
  if (text === '') return { ok: false, error: 'EOF' };
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (text[i] === '"') {
      let value = '';
      let j = i + 1;
      for (;;) {
        const quote = text.indexOf('"', j);
        if (quote < 0)
          return { ok: false, error: `extraneous or missing " in quoted-field (column ${text.length})` };
        value += text.slice(j, quote);
        if (text[quote + 1] === '"') {
          value += '"';
          j = quote + 2;
          continue;
        }
        if (quote + 1 < text.length && text[quote + 1] !== ',') {
          return { ok: false, error: `extraneous or missing " in quoted-field (column ${quote + 1})` };
        }
        i = quote + 1;
        break;
      }
      fields.push(value);
    } else {
      const comma = text.indexOf(',', i);
      const end = comma < 0 ? text.length : comma;
      const value = text.slice(i, end);
      const bare = value.indexOf('"');
      if (bare >= 0) return { ok: false, error: `bare " in non-quoted-field (column ${i + bare + 1})` };
      fields.push(value);
      i = end;
    }
    if (i >= text.length) return { ok: true, fields };
    i += 1; // skip the comma
    if (i === text.length) {
      fields.push('');
      return { ok: true, fields };
    }
  }
}

/** Go's strconv.ParseBool. */
export function parseGoBool(value: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  return undefined;
}
