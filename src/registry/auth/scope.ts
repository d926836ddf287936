/**
 * Token scopes (`repository:name:pull,push`): building them, and merging a set into canonical form
 * (one entry per resource, actions sorted) so that equal sets share one cached token.
 */

/** The actions kiln asks for on a repository. */
export type RepositoryAction = 'pull' | 'push' | 'delete';

/** `repository:<name>:<actions>` for a repository. */
export function repositoryScope(repository: string, actions: readonly RepositoryAction[]): string {
  return `repository:${repository}:${[...actions].sort().join(',')}`;
}

/** Merges scopes: actions of the same `type:name` are united; the result is sorted and deduplicated. */
export function mergeScopes(scopes: readonly string[]): readonly string[] {
  const byResource = new Map<string, Set<string>>();
  for (const scope of scopes) {
    const first = scope.indexOf(':');
    const last = scope.lastIndexOf(':');
    if (first === -1 || last === first) continue; // not type:name:actions; ignore
    const resource = scope.slice(0, last);
    const actions = byResource.get(resource) ?? new Set<string>();
    for (const action of scope.slice(last + 1).split(',')) if (action !== '') actions.add(action);
    byResource.set(resource, actions);
  }
  return [...byResource.entries()]
    .map(([resource, actions]) => `${resource}:${[...actions].sort().join(',')}`)
    .sort();
}

/** True when every action of every scope in `wanted` is covered by `held`. */
export function scopesCover(held: readonly string[], wanted: readonly string[]): boolean {
  const merged = mergeScopes([...held, ...wanted]);
  const heldMerged = mergeScopes(held);
  return merged.length === heldMerged.length && merged.every((s, i) => s === heldMerged[i]);
}
