/**
 * The `docker://REF` transport: registry sources and destinations made with clients from a factory,
 * so that callers decide credentials, TLS and insecure/blocked policy (see `registry/config/`).
 */
import { type ImageReference, parseReference } from '../oci/reference.js';
import type { RegistryClient } from '../registry/client.js';
import type { RegistryTransport } from './open-transport.js';
import { RegistryDestination } from './registry-destination.js';
import { RegistrySource } from './registry-source.js';

/** What a registry client is made for. */
export type RegistryPurpose = 'pull' | 'push';

/** Options of `registryTransport`. */
export interface RegistryTransportOptions {
  /**
   * A client for a reference's registry; refuses blocked registries by throwing. The source or
   * destination using it closes it.
   */
  readonly client: (reference: ImageReference, purpose: RegistryPurpose) => Promise<RegistryClient>;
  /** Chunk size for big blob uploads (default: the registry client's). */
  readonly chunkSize?: number;
  readonly signal?: AbortSignal;
}

/** The registry transport hooks of a `TransportContext`. */
export function registryTransport(options: RegistryTransportOptions): RegistryTransport {
  const signal = options.signal !== undefined ? { signal: options.signal } : {};
  return {
    async source(ref: string) {
      const reference = parseReference(ref);
      return new RegistrySource({ client: await options.client(reference, 'pull'), reference, ...signal });
    },
    async destination(ref: string) {
      const reference = parseReference(ref);
      return new RegistryDestination({
        client: await options.client(reference, 'push'),
        reference,
        ...(options.chunkSize !== undefined ? { chunkSize: options.chunkSize } : {}),
        ...signal,
      });
    },
  };
}
