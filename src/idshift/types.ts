/**
 * How a RUN step's chown/stat calls are treated — chosen once per build, like the layer ownership
 * strategy it complements:
 *
 * - `native`: the kernel's own calls (root, or a user namespace with subordinate ranges);
 * - `seccomp`: the single-id fallback. The step runs under the `kiln-idshift` helper, which emulates
 *   the chown family by recording owners in the `user.rootlesscontainers` xattr and (with `fakeStat`)
 *   reports those owners from the stat family. See docs/single-id.md.
 */
export type OwnerEmulation =
  | { readonly kind: 'native' }
  | {
      readonly kind: 'seccomp';
      /** Absolute path of the compiled helper (see `buildIdshiftHelper`). */
      readonly helper: string;
      /** Also rewrite st_uid/st_gid of the stat family (default in kiln: true). */
      readonly fakeStat: boolean;
    };

/** A host program and its arguments, as handed to spawn. */
export interface HostCommand {
  readonly program: string;
  readonly args: readonly string[];
}
