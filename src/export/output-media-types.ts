/**
 * Which media types each output writes (`oci-mediatypes=` of `--output`), and the stored image's. Pure.
 *
 * The default is OCI for every exporter, as in BuildKit v0.31 (moby/buildkit#6824 for the image and
 * registry exporters, #6844 for the docker tar; older releases and the exporter docs give Docker media
 * types to `type=docker`, and to `type=image` without attestations). A docker-archive as kiln writes it
 * holds no manifests, so there the value changes nothing.
 *
 * `type=image` and `type=registry` are one exporter (the registry one is the image one with push=true)
 * and both write the local store, so their attribute decides the stored image's format too:
 * `kiln build -o type=image,oci-mediatypes=false -t x` stores Docker media types, and a later
 * `kiln push x` sends them. An image or registry output without the attribute (such as the one `--push`
 * adds) follows the stored format; two that set different values are an error.
 */
import { ErrorCode, KilnError } from '../errors.js';
import type { ManifestFormat } from '../oci/types.js';
import type { OutputSpec } from './output-spec.js';

/** The format of an explicit `oci-mediatypes=` value. */
function formatOf(ociMediaTypes: boolean): ManifestFormat {
  return ociMediaTypes ? 'oci' : 'docker';
}

/** The format the build stores its image in: what the image/registry outputs ask for, else OCI. */
export function storedImageFormat(outputs: readonly OutputSpec[]): ManifestFormat {
  const asked = new Set<ManifestFormat>();
  for (const spec of outputs) {
    if ((spec.kind === 'image' || spec.kind === 'registry') && spec.ociMediaTypes !== undefined) {
      asked.add(formatOf(spec.ociMediaTypes));
    }
  }
  if (asked.size > 1) {
    throw new KilnError(
      ErrorCode.Usage,
      'the type=image and type=registry outputs ask for different oci-mediatypes= values',
      { hint: 'they share the stored image: give them the same oci-mediatypes= value' },
    );
  }
  return [...asked][0] ?? 'oci';
}

/** The manifest format one output writes, given the stored image's format. */
export function outputFormat(
  spec: OutputSpec & { readonly kind: 'image' | 'registry' | 'oci' | 'docker' },
  stored: ManifestFormat,
): ManifestFormat {
  if (spec.ociMediaTypes !== undefined) return formatOf(spec.ociMediaTypes);
  return spec.kind === 'image' || spec.kind === 'registry' ? stored : 'oci';
}

/**
 * Refuses manifest annotations when any output writes Docker media types (schema 2 manifests have no
 * annotations): before the build runs, rather than failing at export or dropping them silently.
 */
export function checkAnnotationsFit(
  outputs: readonly OutputSpec[],
  stored: ManifestFormat,
  annotations: Readonly<Record<string, string>> | undefined,
): void {
  if (annotations === undefined || Object.keys(annotations).length === 0) return;
  // A docker-archive holds no manifests at all: annotations do not apply to it either way.
  for (const spec of outputs) {
    if (spec.kind !== 'image' && spec.kind !== 'registry' && spec.kind !== 'oci') continue;
    if (outputFormat(spec, stored) === 'docker') {
      throw new KilnError(
        ErrorCode.Usage,
        `--annotation needs OCI media types, but type=${spec.kind} writes Docker ones`,
        { hint: 'drop oci-mediatypes=false, or drop the annotations' },
      );
    }
  }
  if (stored === 'docker') {
    throw new KilnError(
      ErrorCode.Usage,
      '--annotation needs OCI media types, but the image is stored with Docker ones',
      {
        hint: 'drop oci-mediatypes=false, or drop the annotations',
      },
    );
  }
}
