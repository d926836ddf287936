/** The size of a step's /dev/shm tmpfs: 64 MiB unless `--shm-size` says otherwise (as in BuildKit). */
export const DEFAULT_SHM_SIZE_BYTES = 64 * 1024 * 1024;

/** The tmpfs `size=` mount option for /dev/shm. */
export function shmSizeOption(bytes: number | undefined): string {
  return `size=${Math.ceil((bytes ?? DEFAULT_SHM_SIZE_BYTES) / 1024)}k`;
}
