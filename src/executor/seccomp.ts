/**
 * kiln's default seccomp profile for the `oci` strategy: allow by default, and fail with EPERM the
 * system calls Docker's default profile also refuses to unprivileged containers (kernel modules,
 * keyrings, clock setting, reboot, kexec, bpf, perf, ptrace of other processes' memory, namespace and
 * mount manipulation, swap, quotas, handle-based open). A deny list rather than Docker's allow list
 * keeps new system calls working for build tools; capability checks still apply on top of it.
 */

export interface SeccompProfile {
  readonly defaultAction: 'SCMP_ACT_ALLOW';
  readonly architectures: readonly string[];
  readonly syscalls: readonly {
    readonly names: readonly string[];
    readonly action: 'SCMP_ACT_ERRNO';
    readonly errnoRet: number;
  }[];
}

/** The refused system calls. */
export const DENIED_SYSCALLS: readonly string[] = [
  'acct',
  'add_key',
  'bpf',
  'clock_adjtime',
  'clock_settime',
  'create_module',
  'delete_module',
  'finit_module',
  'get_kernel_syms',
  'init_module',
  'ioperm',
  'iopl',
  'kcmp',
  'kexec_file_load',
  'kexec_load',
  'keyctl',
  'lookup_dcookie',
  'mount',
  'move_mount',
  'fsopen',
  'fsmount',
  'fspick',
  'open_tree',
  'name_to_handle_at',
  'nfsservctl',
  'open_by_handle_at',
  'perf_event_open',
  'pivot_root',
  'process_vm_readv',
  'process_vm_writev',
  'query_module',
  'quotactl',
  'reboot',
  'request_key',
  'setns',
  'settimeofday',
  'swapon',
  'swapoff',
  'sysfs',
  '_sysctl',
  'umount2',
  'unshare',
  'uselib',
  'userfaultfd',
  'ustat',
];

const ARCHITECTURES: Readonly<Record<string, readonly string[]>> = {
  x64: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
  arm64: ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM'],
  ppc64: ['SCMP_ARCH_PPC64LE'],
  s390x: ['SCMP_ARCH_S390X', 'SCMP_ARCH_S390'],
  riscv64: ['SCMP_ARCH_RISCV64'],
};

/** The profile for a node `process.arch` value. */
export function defaultSeccompProfile(arch: string): SeccompProfile {
  return {
    defaultAction: 'SCMP_ACT_ALLOW',
    architectures: ARCHITECTURES[arch] ?? [],
    syscalls: [{ names: DENIED_SYSCALLS, action: 'SCMP_ACT_ERRNO', errnoRet: 1 }],
  };
}
