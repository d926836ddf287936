/** Image references as BuildKit shows them in progress (`docker.io/library/busybox:latest`). */
import { parseReference, referenceString } from '../oci/reference.js';

/** The normalised reference, or the text as written when it is not a registry reference (archives). */
export function displayRef(ref: string): string {
  try {
    return referenceString(parseReference(ref));
  } catch {
    return ref;
  }
}
