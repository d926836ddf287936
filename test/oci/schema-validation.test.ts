import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { isKilnError } from '../../src/errors.js';
import {
  OciMediaType,
  parseJson,
  validateConfig,
  validateDescriptor,
  validateIndex,
  validateLayout,
  validateManifest,
} from '../../src/oci/index.js';
import { conformanceDir } from '../helpers/paths.js';

const specDir = join(conformanceDir(), 'image-spec');

interface DocCase {
  readonly test?: string;
  readonly index?: number;
  readonly file?: string;
  readonly title?: string;
  readonly comment?: string;
  readonly media_type: string;
  readonly fail: boolean;
  readonly document: string;
  readonly schema_only_validator_accepts?: boolean;
}
interface CompatCase {
  readonly test: string;
  readonly index: number;
  readonly docker_document: string;
  readonly sha256_of_document: string;
  readonly validate_as: string;
  readonly fail: boolean;
}
interface CaseFile {
  readonly schema_for_media_type: Readonly<Record<string, string>>;
  readonly schema_ids: Readonly<Record<string, readonly string[]>>;
  readonly cases: readonly DocCase[];
  readonly spec_examples: { readonly cases: readonly DocCase[] };
  readonly docker_compat: {
    readonly compat_map: Readonly<Record<string, string>>;
    readonly cases: readonly CompatCase[];
  };
}

/** ajv-formats is CommonJS: its default import is the plugin function at run time. */
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

const caseFile = JSON.parse(
  readFileSync(join(specDir, 'json', 'schema_validation_cases.json'), 'utf8'),
) as CaseFile;

/** Draft-04 → what Ajv 8 reads: drop `$schema`, drop `id` labels (bases come from the registration keys). */
function adaptSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(adaptSchema);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$schema' || (key === 'id' && typeof value === 'string')) continue;
    out[key] = adaptSchema(value);
  }
  return out;
}

function buildAjv(): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  for (const [file, ids] of Object.entries(caseFile.schema_ids)) {
    const schema = adaptSchema(JSON.parse(readFileSync(join(specDir, 'schema', file), 'utf8'))) as object;
    for (const id of ids) ajv.addSchema(schema, id);
  }
  return ajv;
}

const ajv = buildAjv();
function schemaValidator(mediaType: string): ValidateFunction {
  const file = caseFile.schema_for_media_type[mediaType];
  assert.ok(file, `no schema for ${mediaType}`);
  const id = caseFile.schema_ids[file]![0]!;
  const validate = ajv.getSchema(id);
  assert.ok(validate, `schema ${id} not compiled`);
  return validate;
}

function kilnValidate(mediaType: string, json: unknown): void {
  switch (mediaType) {
    case OciMediaType.Descriptor:
      validateDescriptor(json);
      return;
    case OciMediaType.LayoutHeader:
      validateLayout(json);
      return;
    case OciMediaType.ImageManifest:
      validateManifest(json, { requireLayers: true });
      return;
    case OciMediaType.ImageIndex:
      validateIndex(json);
      return;
    case OciMediaType.ImageConfig:
      validateConfig(json);
      return;
    default:
      assert.fail(`unexpected media type ${mediaType}`);
  }
}

/** Runs kiln's validator on document text; returns the KilnError or undefined when accepted. */
function kilnResult(mediaType: string, text: string): unknown {
  try {
    kilnValidate(mediaType, parseJson(text, 'document'));
    return undefined;
  } catch (err) {
    assert.ok(isKilnError(err), `non-KilnError thrown: ${String(err)}`);
    assert.equal(err.code, 'E_INVALID_DOCUMENT');
    return err;
  }
}

/** Ajv with the upstream schemas: true when the schema accepts (malformed JSON counts as rejected). */
function schemaAccepts(mediaType: string, text: string): boolean {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return false;
  }
  return schemaValidator(mediaType)(json) === true;
}

function checkCase(c: DocCase): void {
  const error = kilnResult(c.media_type, c.document);
  assert.equal(
    error !== undefined,
    c.fail,
    error === undefined ? 'kiln accepted' : `kiln rejected: ${String(error)}`,
  );
  const accepts = schemaAccepts(c.media_type, c.document);
  if (!accepts) assert.ok(error !== undefined, 'schema rejects, so kiln must reject');
  // The schema alone must agree with the expectation except where the data says it may not
  // (checks that live outside the schema, or formats that a validator may not assert).
  if (c.schema_only_validator_accepts !== true)
    assert.equal(accepts, !c.fail, 'ajv + upstream schema result');
}

describe('image-spec schema validation cases', () => {
  for (const c of caseFile.cases) {
    it(`${c.test}[${c.index}] ${c.comment ?? ''}`, () => checkCase(c));
  }
});

describe('image-spec examples from the spec text', () => {
  caseFile.spec_examples.cases.forEach((c, i) => {
    it(`${c.file} ${c.title} #${i}`, () => checkCase(c));
  });
});

describe('Docker schema 2 documents (backwards compatibility)', () => {
  const { compat_map: compatMap } = caseFile.docker_compat;
  for (const c of caseFile.docker_compat.cases) {
    it(`${c.test}[${c.index}]`, () => {
      const digest = `sha256:${createHash('sha256').update(c.docker_document).digest('hex')}`;
      assert.equal(digest, c.sha256_of_document);
      // Docker form, read natively.
      assert.equal(kilnResult(c.validate_as, c.docker_document), undefined);
      let converted = c.docker_document;
      for (const [from, to] of Object.entries(compatMap)) converted = converted.split(from).join(to);
      checkCase({ media_type: c.validate_as, fail: c.fail, document: converted });
    });
  }
});
