/**
 * `--secret` values as docker buildx reads them: a CSV of `key=value` fields.
 *
 * - `id=ID,src=PATH` (`source=` is an alias) or `type=file,id=ID,src=PATH`: the secret is a file.
 * - `id=ID,env=VAR` or `type=env,id=ID[,env=VAR]`: the secret is an environment variable (with
 *   `type=env`, `src=` names the variable too, and without `env`/`src` the variable is the id).
 * - `id=ID` alone: the environment variable ID when it is set, otherwise the file ID (BuildKit's
 *   secretsprovider rule) — so `--secret id=API_TOKEN` reads $API_TOKEN.
 */
import { splitCsvRecord } from '../dockerfile/instructions/csv-fields.js';
import { ErrorCode, KilnError } from '../errors.js';

/** Where one secret's value comes from. */
export type SecretSource =
  | { readonly kind: 'file'; readonly id: string; readonly path: string }
  | { readonly kind: 'env'; readonly id: string; readonly variable: string }
  /** `id=X` alone: env X if set when resolved, else file X. */
  | { readonly kind: 'env-or-file'; readonly id: string };

function bad(spec: string, why: string): KilnError {
  return new KilnError(ErrorCode.Usage, `invalid --secret ${JSON.stringify(spec)}: ${why}`, {
    hint: 'use id=ID,src=PATH or id=ID,env=VARIABLE',
  });
}

/** Parses one `--secret` value (E_USAGE on bad input). */
export function parseSecretSpec(spec: string): SecretSource {
  const csv = splitCsvRecord(spec);
  if (!csv.ok) throw bad(spec, csv.error);
  let type: 'file' | 'env' | undefined;
  let id: string | undefined;
  let src: string | undefined;
  let env: string | undefined;
  for (const field of csv.fields) {
    const eq = field.indexOf('=');
    if (eq < 0) throw bad(spec, `field ${JSON.stringify(field)} is not key=value`);
    const key = field.slice(0, eq).toLowerCase();
    const value = field.slice(eq + 1);
    switch (key) {
      case 'type':
        if (value !== 'file' && value !== 'env')
          throw bad(spec, `unsupported secret type ${JSON.stringify(value)}`);
        type = value;
        break;
      case 'id':
        id = value;
        break;
      case 'src':
      case 'source':
        src = value;
        break;
      case 'env':
        env = value;
        break;
      default:
        throw bad(spec, `unexpected key ${JSON.stringify(key)}`);
    }
  }
  if (id === undefined || id === '') throw bad(spec, 'missing id');
  if (type === 'env') return { kind: 'env', id, variable: env || src || id };
  if (type === 'file') {
    if (env !== undefined) throw bad(spec, 'env= is not allowed with type=file');
    return { kind: 'file', id, path: src || id };
  }
  if (src !== undefined && env !== undefined) throw bad(spec, 'give either src= or env=, not both');
  if (src !== undefined && src !== '') return { kind: 'file', id, path: src };
  if (env !== undefined && env !== '') return { kind: 'env', id, variable: env };
  return { kind: 'env-or-file', id };
}
