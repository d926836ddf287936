/*
 * kiln-idshift — faithful file ownership for kiln's single-id fallback (no /etc/subuid range).
 *
 *   kiln-idshift [--no-stat] [--stats] -- PROGRAM ARGS...
 *   kiln-idshift --probe FILE
 *
 * Runs PROGRAM with a seccomp filter that hands the chown family (chown, lchown, fchown, fchownat)
 * and, unless --no-stat, the stat family (stat, lstat, fstat, newfstatat, statx) of the native
 * architecture to this process through SECCOMP_RET_USER_NOTIF. Every other system call runs at
 * native speed. The supervisor (this process, which must not itself be filtered) then:
 *
 *   chown:  resolves the target like the caller would (see "Confinement"), performs
 *           fchownat(target, "", -1, -1) for the kernel's side effects (ctime, setuid/setgid and
 *           file-capability clearing, EROFS, EPERM), and records the wanted owner in the
 *           `user.rootlesscontainers` xattr (github.com/rootless-containers/proto `Resource`; the
 *           xattr is removed when the owner is 0:0). User xattrs only exist on regular files and
 *           directories: for other nodes the call succeeds, nothing is recorded, and one warning
 *           is printed when PROGRAM has exited.
 *   stat:   performs the stat itself, replaces st_uid/st_gid (stx_uid/stx_gid) with the recorded
 *           owner and writes the result into the caller's buffer.
 *
 * Confinement. The supervisor is root of kiln's user namespace and must never act where the caller
 * could not. Paths are resolved after chroot(2) into the caller's own /proc/PID/root, from the
 * caller's cwd or a copy of its dirfd (pidfd_getfd), with openat2(RESOLVE_NO_MAGICLINKS): absolute
 * paths, absolute symlinks and ".." stay inside the caller's root, and /proc/PID/{root,cwd,fd}
 * jumps are not followed with the supervisor's rights. A dirfd or cwd outside the caller's root
 * (where the chroot would not bound "..") is not used, and chown calls from another user namespace
 * (whose capabilities are not ours) are not emulated. Everything learnt through the caller's pid
 * is trusted only if SECCOMP_IOCTL_NOTIF_ID_VALID still holds afterwards (the pid was not reused).
 * Whatever the supervisor will not resolve (no chroot possible, magic links, a base outside the
 * root, another user namespace, other ABIs, no openat2) is answered with SECCOMP_USER_NOTIF_FLAG_CONTINUE: the kernel runs the call unchanged,
 * with the caller's own privileges. This is not a sandbox (seccomp notification cannot be one);
 * it only lifts the "uid not mapped" limit without widening what a step can reach.
 *
 * Needs Linux >= 5.6 (user notification with CONTINUE, pidfd_getfd, openat2) and CAP_SYS_CHROOT
 * (kiln runs it as root of its user namespace, outermost: not itself filtered).
 * Exit status: PROGRAM's (128 + signal when it was killed); 125 when set-up fails.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#if defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#else
#error "kiln-idshift: unsupported architecture"
#endif

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif
#ifndef SYS_openat2
#define SYS_openat2 437
#endif

#ifndef STATX_MNT_ID
#define STATX_MNT_ID 0x1000U
#endif
#ifndef STATX_ATTR_MOUNT_ROOT
#define STATX_ATTR_MOUNT_ROOT 0x00002000
#endif

#define XATTR_NAME "user.rootlesscontainers"
#define SETUP_FAILED 125

enum op_kind { OP_CHOWN, OP_STAT, OP_STATX };

/* Where a system call keeps its arguments; -1 = absent. */
struct op {
  long nr;
  enum op_kind kind;
  int dirfd_arg;
  int path_arg;
  int flags_arg;
  int fixed_flags;
  int uid_arg; /* chown: uid, gid follows */
  int buf_arg; /* stat: result buffer */
  int mask_arg; /* statx */
};

static const struct op OPS[] = {
#ifdef SYS_chown
    {SYS_chown, OP_CHOWN, -1, 0, -1, 0, 1, -1, -1},
#endif
#ifdef SYS_lchown
    {SYS_lchown, OP_CHOWN, -1, 0, -1, AT_SYMLINK_NOFOLLOW, 1, -1, -1},
#endif
    {SYS_fchown, OP_CHOWN, 0, -1, -1, AT_EMPTY_PATH, 1, -1, -1},
    {SYS_fchownat, OP_CHOWN, 0, 1, 4, 0, 2, -1, -1},
#ifdef SYS_stat
    {SYS_stat, OP_STAT, -1, 0, -1, 0, -1, 1, -1},
#endif
#ifdef SYS_lstat
    {SYS_lstat, OP_STAT, -1, 0, -1, AT_SYMLINK_NOFOLLOW, -1, 1, -1},
#endif
    {SYS_fstat, OP_STAT, 0, -1, -1, AT_EMPTY_PATH, -1, 1, -1},
    {SYS_newfstatat, OP_STAT, 0, 1, 3, 0, -1, 2, -1},
    {SYS_statx, OP_STATX, 0, 1, 2, 0, -1, 4, 3},
};
#define N_OPS (sizeof(OPS) / sizeof(OPS[0]))

struct counters {
  unsigned long chown, stat, faked, cont, unrecorded;
};

struct supervisor {
  int listener;
  int procfd;
  pid_t child;
  /* The supervisor's own user namespace (st_dev, st_ino of /proc/self/ns/user). */
  dev_t userns_dev;
  ino_t userns_ino;
  int fake_stat;
  struct counters count;
  /* The first path (as the supervisor saw it) whose owner could not be recorded. */
  char first_unrecorded[512];
};

static pid_t forward_to = 0;

static void forward_signal(int sig) {
  if (forward_to > 0) kill(forward_to, sig);
}

static void die(const char *what) {
  fprintf(stderr, "kiln-idshift: %s: %s\n", what, strerror(errno));
  exit(SETUP_FAILED);
}

/* ---- the filter ---------------------------------------------------------------------------- */

static int install_filter(int fake_stat) {
  struct sock_filter prog[8 + 2 * N_OPS];
  unsigned n = 0;
  unsigned ops = 0;
  for (unsigned i = 0; i < N_OPS; i++)
    if (fake_stat || OPS[i].kind == OP_CHOWN) ops++;
  prog[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
  prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 1, 0);
  prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
  prog[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
  unsigned left = ops;
  for (unsigned i = 0; i < N_OPS; i++) {
    if (!fake_stat && OPS[i].kind != OP_CHOWN) continue;
    left--;
    /* match: jump over the remaining compares and the ALLOW to the NOTIFY */
    prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)OPS[i].nr, left + 1, 0);
  }
  prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
  prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF);
  struct sock_fprog fprog = {.len = (unsigned short)n, .filter = prog};
  int fd = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &fprog);
  if (fd < 0 && errno == EACCES) {
    /* Without CAP_SYS_ADMIN a filter needs no_new_privs. */
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return -1;
    fd = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &fprog);
  }
  return fd;
}

static void send_fd(int sock, int fd) {
  char data = 'L';
  struct iovec iov = {.iov_base = &data, .iov_len = 1};
  union {
    struct cmsghdr align;
    char buf[CMSG_SPACE(sizeof(int))];
  } control;
  memset(&control, 0, sizeof control);
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof control.buf};
  struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
  if (sendmsg(sock, &msg, 0) != 1) die("sending the listener");
}

static int receive_fd(int sock) {
  char data;
  struct iovec iov = {.iov_base = &data, .iov_len = 1};
  union {
    struct cmsghdr align;
    char buf[CMSG_SPACE(sizeof(int))];
  } control;
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof control.buf};
  if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1) return -1;
  struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
  if (cmsg == NULL || cmsg->cmsg_type != SCM_RIGHTS) return -1;
  int fd;
  memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
  return fd;
}

/* ---- the rootlesscontainers Resource message ----------------------------------------------- */

static size_t put_varint(unsigned char *out, uint32_t v) {
  size_t n = 0;
  while (v >= 0x80) {
    out[n++] = (unsigned char)(v | 0x80);
    v >>= 7;
  }
  out[n++] = (unsigned char)v;
  return n;
}

static size_t encode_owner(unsigned char *out, uint32_t uid, uint32_t gid) {
  size_t n = 0;
  if (uid != 0) {
    out[n++] = 0x08;
    n += put_varint(out + n, uid);
  }
  if (gid != 0) {
    out[n++] = 0x10;
    n += put_varint(out + n, gid);
  }
  return n;
}

/* Returns 0 and the owner, or -1 when the value is malformed (then it is ignored). */
static int decode_owner(const unsigned char *in, size_t len, uint32_t *uid, uint32_t *gid) {
  size_t i = 0;
  *uid = 0;
  *gid = 0;
  while (i < len) {
    uint64_t key = 0;
    for (int shift = 0;; shift += 7) {
      if (i >= len || shift > 63) return -1;
      key |= (uint64_t)(in[i] & 0x7f) << shift;
      if ((in[i++] & 0x80) == 0) break;
    }
    if ((key & 7) != 0) return -1; /* kiln's decoder skips other wire types; this prototype only reads varints */
    uint64_t value = 0;
    for (int shift = 0;; shift += 7) {
      if (i >= len || shift > 63) return -1;
      value |= (uint64_t)(in[i] & 0x7f) << shift;
      if ((in[i++] & 0x80) == 0) break;
    }
    if (key >> 3 == 1) *uid = (uint32_t)value;
    if (key >> 3 == 2) *gid = (uint32_t)value;
  }
  /* 0xFFFFFFFF ("unchanged") reads as 0, like src/layer/ownership.ts */
  if (*uid == 0xffffffffu) *uid = 0;
  if (*gid == 0xffffffffu) *gid = 0;
  return 0;
}

/* The recorded owner of an open file (any kind of fd); 1 when found, 0 when none, -errno. */
static int recorded_owner(struct supervisor *s, int fd, uint32_t *uid, uint32_t *gid) {
  unsigned char buf[64];
  ssize_t len = fgetxattr(fd, XATTR_NAME, buf, sizeof buf);
  if (len < 0 && errno == EBADF) {
    /* an O_PATH fd: reopen it through /proc/self/fd */
    char path[64];
    snprintf(path, sizeof path, "self/fd/%d", fd);
    int rd = openat(s->procfd, path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (rd < 0) return -errno;
    len = fgetxattr(rd, XATTR_NAME, buf, sizeof buf);
    int saved = errno;
    close(rd);
    errno = saved;
  }
  if (len < 0) return (errno == ENODATA || errno == ENOTSUP) ? 0 : -errno;
  return decode_owner(buf, (size_t)len, uid, gid) == 0 ? 1 : 0;
}

/* ---- the caller's context ------------------------------------------------------------------ */

/*
 * A handler's answer besides a descriptor (>= 0), 0 or -errno: let the kernel run the call unchanged,
 * with the caller's own privileges (the safe default for anything the supervisor will not resolve on
 * the caller's behalf). Below -4095, so it is neither a descriptor nor an errno.
 */
#define LET_KERNEL (-4096 - 1)

static int read_string(pid_t pid, uint64_t addr, char *buf, size_t size) {
  size_t got = 0;
  while (got < size) {
    size_t chunk = 4096 - (size_t)((addr + got) % 4096);
    if (chunk > size - got) chunk = size - got;
    struct iovec local = {.iov_base = buf + got, .iov_len = chunk};
    struct iovec remote = {.iov_base = (void *)(uintptr_t)(addr + got), .iov_len = chunk};
    ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
    if (n <= 0) return -EFAULT;
    if (memchr(buf + got, 0, (size_t)n) != NULL) return 0;
    got += (size_t)n;
  }
  return -ENAMETOOLONG;
}

static int write_memory(pid_t pid, uint64_t addr, const void *data, size_t size) {
  struct iovec local = {.iov_base = (void *)data, .iov_len = size};
  struct iovec remote = {.iov_base = (void *)(uintptr_t)addr, .iov_len = size};
  return process_vm_writev(pid, &local, 1, &remote, 1, 0) == (ssize_t)size ? 0 : -EFAULT;
}

static int open_proc(struct supervisor *s, pid_t pid, const char *what, int flags) {
  char path[64];
  snprintf(path, sizeof path, "%d/%s", (int)pid, what);
  int fd = openat(s->procfd, path, flags | O_CLOEXEC);
  return fd < 0 ? -errno : fd;
}

/*
 * Whether the notification is still pending. Everything looked up through the caller's pid (its
 * memory, /proc/PID/{root,cwd,status}, its descriptors) is trusted only when this holds afterwards:
 * then the pid still named the blocked caller and was not recycled in between.
 */
static int still_pending(struct supervisor *s, const struct seccomp_notif *req) {
  return ioctl(s->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &req->id) == 0;
}

/* The thread group of thread `tid` (from /proc/TID/status), or -1. */
static pid_t thread_group(struct supervisor *s, pid_t tid) {
  int fd = open_proc(s, tid, "status", O_RDONLY);
  if (fd < 0) return -1;
  char buf[4096];
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return -1;
  buf[n] = '\0';
  const char *line = strstr(buf, "\nTgid:");
  return line == NULL ? -1 : (pid_t)strtol(line + 6, NULL, 10);
}

/*
 * A pidfd for the calling task. The notification names a thread (any thread of a multi-threaded
 * caller, e.g. Go's runc): a thread pidfd where the kernel has them (PIDFD_THREAD, Linux 6.9),
 * else its thread group's (descriptor tables are shared by the threads of a process).
 */
static int caller_pidfd(struct supervisor *s, pid_t tid) {
  int pidfd = (int)syscall(SYS_pidfd_open, tid, O_EXCL /* PIDFD_THREAD */);
  if (pidfd >= 0) return pidfd;
  pidfd = (int)syscall(SYS_pidfd_open, tid, 0);
  if (pidfd >= 0) return pidfd;
  pid_t tgid = thread_group(s, tid);
  return tgid > 0 ? (int)syscall(SYS_pidfd_open, tgid, 0) : -1;
}

/* A copy of the caller's descriptor `fd` (exact: pipes, sockets, deleted files), or -errno. */
static int caller_fd(struct supervisor *s, pid_t pid, int fd) {
  int pidfd = caller_pidfd(s, pid);
  if (pidfd < 0) return -ESRCH;
  int copy = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
  int saved = errno;
  close(pidfd);
  return copy >= 0 ? copy : -saved;
}

/*
 * Makes the caller's root our own, so absolute paths, absolute symlinks and ".." resolve exactly as
 * they do for the caller and never above its root. 0, or LET_KERNEL when that is impossible (then
 * the supervisor must not resolve anything: a lookup in our own root could reach host paths).
 */
static int enter_root(struct supervisor *s, pid_t pid) {
  int root = open_proc(s, pid, "root", O_PATH | O_DIRECTORY);
  if (root < 0) return root == -ENOENT || root == -ESRCH ? -ESRCH : LET_KERNEL;
  int ok = fchdir(root) == 0 && chroot(".") == 0;
  close(root);
  return ok ? 0 : LET_KERNEL;
}

/* Identifies a directory by mount and inode (bind mounts of one directory are different places). */
struct place {
  uint64_t mnt_id;
  uint32_t dev_major, dev_minor;
  uint64_t ino;
  int mount_root; /* the root of its mount (known from Linux 5.8; else 0) */
};

static int place_of(int fd, const char *path, struct place *out) {
  struct statx stx;
  if (statx(fd, path, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_TYPE | STATX_INO | STATX_MNT_ID, &stx) != 0) return -1;
  if (!(stx.stx_mask & STATX_TYPE) || !S_ISDIR(stx.stx_mode)) return -1;
  /* Linux < 5.8 has no mount ids: then device and inode alone */
  out->mnt_id = (stx.stx_mask & STATX_MNT_ID) ? stx.stx_mnt_id : 0;
  out->dev_major = stx.stx_dev_major;
  out->dev_minor = stx.stx_dev_minor;
  out->ino = stx.stx_ino;
  out->mount_root = out->mnt_id != 0 && (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
                    (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
  return 0;
}

static int same_place(const struct place *a, const struct place *b) {
  return a->mnt_id == b->mnt_id && a->dev_major == b->dev_major && a->dev_minor == b->dev_minor && a->ino == b->ino;
}

/*
 * Whether directory `base` lies beneath our root (the caller's, after enter_root): climbing ".." from
 * it, the way the kernel resolves "..", meets the root. Only then does the chroot bound ".." walks
 * from `base`; a descriptor or working directory outside the root (inherited, or entered through a
 * magic link) would let them reach anything. 1 when beneath, 0 when not or when it cannot be told.
 * The climb costs a few microseconds per level; when the root is the root of its mount (oci: the
 * pivoted rootfs), everything on that mount is beneath it and one comparison suffices.
 */
static int beneath_root(int base) {
  struct place root, here, up;
  if (place_of(AT_FDCWD, "/", &root) != 0 || place_of(base, "", &here) != 0) return 0;
  if (root.mount_root && here.mnt_id == root.mnt_id) return 1;
  int cur = -1;
  int result = 0;
  for (int depth = 0; depth < 4096; depth++) {
    if (same_place(&here, &root)) {
      result = 1;
      break;
    }
    int parent = openat(cur < 0 ? base : cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (parent < 0) break;
    if (cur >= 0) close(cur);
    cur = parent;
    if (place_of(cur, "", &up) != 0 || same_place(&up, &here)) break; /* the top, and not our root */
    here = up;
  }
  if (cur >= 0) close(cur);
  return result;
}

static int open_beneath(int base, const char *path, int nofollow) {
  struct open_how how;
  memset(&how, 0, sizeof how);
  how.flags = O_PATH | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0);
  /* /proc/PID/{root,cwd,fd/N} jumps are resolved with the caller's rights only (by the kernel). */
  how.resolve = RESOLVE_NO_MAGICLINKS;
  int fd = (int)syscall(SYS_openat2, base, path, &how, sizeof how);
  /*
   * Any failure (ELOOP for a magic link, ENOENT for /proc/self seen from outside the step's pid
   * namespace, ENOSYS without openat2, a real ENOENT...): the kernel decides, with the caller's rights.
   */
  return fd >= 0 ? fd : LET_KERNEL;
}

/*
 * Opens what (dirfd, path, flags) names for the caller, O_PATH unless it is a copy of the caller's
 * own descriptor. Returns the fd, -errno (the errno the caller's own call would have seen), -ESRCH
 * when the caller is gone, or LET_KERNEL.
 */
static int open_target(struct supervisor *s, const struct seccomp_notif *req, const struct op *op, int flags) {
  pid_t pid = (pid_t)req->pid;
  int dirfd = op->dirfd_arg >= 0 ? (int)req->data.args[op->dirfd_arg] : AT_FDCWD;
  char path[4096];
  path[0] = '\0';
  if (op->path_arg >= 0) {
    uint64_t addr = req->data.args[op->path_arg];
    if (addr == 0) {
      if (!(flags & AT_EMPTY_PATH)) return -EFAULT;
    } else {
      int r = read_string(pid, addr, path, sizeof path);
      if (r < 0) return still_pending(s, req) ? r : -ESRCH;
    }
  }
  int fd;
  if (path[0] == '\0') {
    if (!(flags & AT_EMPTY_PATH)) return still_pending(s, req) ? -ENOENT : -ESRCH;
    fd = dirfd == AT_FDCWD ? open_proc(s, pid, "cwd", O_PATH) : caller_fd(s, pid, dirfd);
  } else {
    int entered = enter_root(s, pid);
    if (entered != 0) return entered;
    int base = AT_FDCWD;
    if (path[0] != '/') {
      base = dirfd == AT_FDCWD ? open_proc(s, pid, "cwd", O_PATH | O_DIRECTORY) : caller_fd(s, pid, dirfd);
      if (base < 0) return still_pending(s, req) ? base : -ESRCH;
      if (!beneath_root(base)) {
        /* not a directory (ENOTDIR), or outside the caller's root: the kernel decides */
        close(base);
        return still_pending(s, req) ? LET_KERNEL : -ESRCH;
      }
    }
    fd = open_beneath(base, path, flags & AT_SYMLINK_NOFOLLOW);
    if (base >= 0) close(base);
  }
  if (!still_pending(s, req)) {
    if (fd >= 0) close(fd);
    return -ESRCH;
  }
  return fd;
}

/*
 * Whether the caller's capabilities count for this supervisor: 1 when it runs in the supervisor's own
 * user namespace, 0 when in another (a step that ran `unshare -U -r` has full capabilities, but only
 * over its own namespace), -ESRCH when that cannot be read.
 */
static int in_own_userns(struct supervisor *s, pid_t pid) {
  char path[64];
  struct stat st;
  snprintf(path, sizeof path, "%d/ns/user", (int)pid);
  if (fstatat(s->procfd, path, &st, 0) != 0) return -ESRCH;
  return st.st_dev == s->userns_dev && st.st_ino == s->userns_ino;
}

/* Whether the caller holds CAP_CHOWN in its effective set; -ESRCH when it cannot be read. */
static int can_chown(struct supervisor *s, pid_t pid) {
  int fd = open_proc(s, pid, "status", O_RDONLY);
  if (fd < 0) return -ESRCH;
  char buf[4096];
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return -ESRCH;
  buf[n] = '\0';
  const char *line = strstr(buf, "\nCapEff:");
  if (line == NULL) return -ESRCH;
  return (strtoull(line + 8, NULL, 16) & 1ull) != 0; /* CAP_CHOWN is bit 0 */
}

/* Remembers a chown whose owner could not be recorded (reported once, at exit). */
static void note_unrecorded(struct supervisor *s, int fd) {
  if (s->count.unrecorded++ > 0) return;
  char link[64];
  snprintf(link, sizeof link, "self/fd/%d", fd);
  ssize_t n = readlinkat(s->procfd, link, s->first_unrecorded, sizeof s->first_unrecorded - 1);
  s->first_unrecorded[n > 0 ? n : 0] = '\0';
}

/* ---- emulation ----------------------------------------------------------------------------- */

/* Records (uid, gid) — each possibly -1, "unchanged" — for a regular file or directory `fd` (O_PATH). */
static int record_owner(struct supervisor *s, int fd, uint32_t uid, uint32_t gid) {
  uint32_t cur_uid = 0, cur_gid = 0;
  if (recorded_owner(s, fd, &cur_uid, &cur_gid) < 0) cur_uid = cur_gid = 0;
  uint32_t new_uid = uid == 0xffffffffu ? cur_uid : uid;
  uint32_t new_gid = gid == 0xffffffffu ? cur_gid : gid;
  char path[64];
  snprintf(path, sizeof path, "self/fd/%d", fd);
  int rd = openat(s->procfd, path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (rd < 0) return -errno;
  int result = 0;
  if (new_uid == 0 && new_gid == 0) {
    if (fremovexattr(rd, XATTR_NAME) != 0 && errno != ENODATA) result = -errno;
  } else {
    unsigned char value[16];
    size_t len = encode_owner(value, new_uid, new_gid);
    if (fsetxattr(rd, XATTR_NAME, value, len, 0) != 0) result = -errno;
  }
  close(rd);
  return result;
}

static int emulate_chown(struct supervisor *s, const struct seccomp_notif *req, const struct op *op) {
  int flags = op->fixed_flags | (op->flags_arg >= 0 ? (int)req->data.args[op->flags_arg] : 0);
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return -EINVAL;
  uint32_t uid = (uint32_t)req->data.args[op->uid_arg];
  uint32_t gid = (uint32_t)req->data.args[op->uid_arg + 1];
  int own = in_own_userns(s, (pid_t)req->pid);
  if (own == 0) return LET_KERNEL; /* another user namespace: its ids and capabilities are not ours */
  if (own < 0) return own;
  int fd = open_target(s, req, op, flags);
  if (fd < 0) return fd;
  int result = 0;
  struct stat st;
  int allowed = (uid == 0xffffffffu && gid == 0xffffffffu) ? 1 : can_chown(s, (pid_t)req->pid);
  if (!still_pending(s, req)) {
    /* the status read (and the namespace checked) may have been another process's: pid reuse */
    close(fd);
    return -ESRCH;
  }
  if (allowed < 0) {
    result = allowed;
  } else if (op->path_arg < 0 && (fcntl(fd, F_GETFL) & O_PATH)) {
    result = -EBADF; /* fchown(2) on an O_PATH descriptor */
  } else if (!allowed) {
    result = -EPERM;
  } else if (fchownat(fd, "", (uid_t)-1, (gid_t)-1, AT_EMPTY_PATH) != 0 || fstat(fd, &st) != 0) {
    /* the kernel's side effects of a chown: ctime, setuid/setgid and capability clearing, EROFS */
    result = -errno;
  } else if (uid == 0xffffffffu && gid == 0xffffffffu) {
    result = 0;
  } else if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
    /* user xattrs exist only on regular files and directories */
    if (uid != 0 || gid != 0) note_unrecorded(s, fd);
  } else {
    result = record_owner(s, fd, uid, gid);
    if (result == -ENOTSUP || result == -EOPNOTSUPP) {
      /* a filesystem without user xattrs (old tmpfs, some FUSE mounts): not part of the layer */
      if (uid != 0 || gid != 0) note_unrecorded(s, fd);
      result = 0;
    }
  }
  close(fd);
  return result;
}

/* Returns 1 when the owner was replaced. */
static int patch_owner(struct supervisor *s, int fd, mode_t mode, uint32_t *uid, uint32_t *gid) {
  if (!S_ISREG(mode) && !S_ISDIR(mode)) return 0;
  uint32_t u, g;
  if (recorded_owner(s, fd, &u, &g) != 1) return 0;
  *uid = u;
  *gid = g;
  return 1;
}

static int emulate_stat(struct supervisor *s, const struct seccomp_notif *req, const struct op *op) {
  int flags = op->fixed_flags | (op->flags_arg >= 0 ? (int)req->data.args[op->flags_arg] : 0);
  /* the flags the kernel accepts for newfstatat and statx (fs/stat.c); others give EINVAL there */
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE)) return -EINVAL;
  int fd = open_target(s, req, op, flags & (AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH));
  if (fd < 0) return fd;
  int result = 0;
  uint64_t buf = req->data.args[op->buf_arg];
  if (op->kind == OP_STAT) {
    struct stat st;
    if (fstatat(fd, "", &st, AT_EMPTY_PATH) != 0) {
      result = -errno;
    } else {
      uint32_t uid = st.st_uid, gid = st.st_gid;
      if (patch_owner(s, fd, st.st_mode, &uid, &gid)) s->count.faked++;
      st.st_uid = uid;
      st.st_gid = gid;
      if (!still_pending(s, req)) result = -ESRCH;
      else result = write_memory((pid_t)req->pid, buf, &st, sizeof st);
    }
  } else {
    struct statx stx;
    unsigned mask = (unsigned)req->data.args[op->mask_arg];
    if (statx(fd, "", AT_EMPTY_PATH | (flags & AT_STATX_SYNC_TYPE), mask, &stx) != 0) {
      result = -errno;
    } else {
      uint32_t uid = stx.stx_uid, gid = stx.stx_gid;
      if ((stx.stx_mask & STATX_TYPE) && (stx.stx_mask & (STATX_UID | STATX_GID)) &&
          patch_owner(s, fd, stx.stx_mode, &uid, &gid)) {
        s->count.faked++;
        if (stx.stx_mask & STATX_UID) stx.stx_uid = uid;
        if (stx.stx_mask & STATX_GID) stx.stx_gid = gid;
      }
      if (!still_pending(s, req)) result = -ESRCH;
      else result = write_memory((pid_t)req->pid, buf, &stx, sizeof stx);
    }
  }
  close(fd);
  return result;
}

static const struct op *find_op(const struct seccomp_data *data) {
  if (data->arch != NATIVE_ARCH) return NULL;
  for (unsigned i = 0; i < N_OPS; i++)
    if (OPS[i].nr == data->nr) return &OPS[i];
  return NULL;
}

static void handle(struct supervisor *s, struct seccomp_notif *req, struct seccomp_notif_resp *resp) {
  memset(resp, 0, sizeof *resp);
  resp->id = req->id;
  const struct op *op = find_op(&req->data);
  int result = LET_KERNEL;
  if (op != NULL && op->kind == OP_CHOWN) {
    s->count.chown++;
    result = emulate_chown(s, req, op);
  } else if (op != NULL && s->fake_stat) {
    s->count.stat++;
    result = emulate_stat(s, req, op);
  }
  if (result == -ESRCH) {
    if (!still_pending(s, req)) return; /* the caller is gone (or its pid was reused): nothing to answer */
    result = LET_KERNEL;                /* never leave a caller blocked */
  }
  if (result == LET_KERNEL) {
    resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
    s->count.cont++;
  } else {
    resp->error = result < 0 ? result : 0; /* -errno; never LET_KERNEL, which is below -4095 */
    resp->val = 0;
  }
  if (ioctl(s->listener, SECCOMP_IOCTL_NOTIF_SEND, resp) != 0 && errno != ENOENT) {
    /* ENOENT: the caller was interrupted by a signal; the kernel restarts or fails its call */
  }
}

static int exit_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return SETUP_FAILED;
}

static int supervise(struct supervisor *s) {
  struct seccomp_notif_sizes sizes;
  if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) != 0) die("SECCOMP_GET_NOTIF_SIZES");
  struct seccomp_notif *req = calloc(1, sizes.seccomp_notif > sizeof *req ? sizes.seccomp_notif : sizeof *req);
  struct seccomp_notif_resp *resp =
      calloc(1, sizes.seccomp_notif_resp > sizeof *resp ? sizes.seccomp_notif_resp : sizeof *resp);
  if (req == NULL || resp == NULL) die("calloc");
  int pidfd = (int)syscall(SYS_pidfd_open, s->child, 0);
  if (pidfd < 0) die("pidfd_open");
  for (;;) {
    struct pollfd fds[2] = {{.fd = s->listener, .events = POLLIN}, {.fd = pidfd, .events = POLLIN}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      die("poll");
    }
    if (fds[0].revents & POLLIN) {
      memset(req, 0, sizes.seccomp_notif);
      if (ioctl(s->listener, SECCOMP_IOCTL_NOTIF_RECV, req) == 0) handle(s, req, resp);
      continue;
    }
    if (fds[1].revents & POLLIN) break;
    if (fds[0].revents & (POLLHUP | POLLERR)) {
      /* every filtered task is gone: only the exit status is left to collect */
      struct pollfd only = {.fd = pidfd, .events = POLLIN};
      while (poll(&only, 1, -1) < 0 && errno == EINTR) {
      }
      break;
    }
  }
  int status;
  while (waitpid(s->child, &status, 0) < 0) {
    if (errno != EINTR) die("waitpid");
  }
  return exit_status(status);
}

/*
 * --probe FILE: what kiln runs once before choosing the emulation. Under the filter, chown FILE to
 * 1000:1001 and back to 0:0, checking each through stat; exit 0 only when both were emulated.
 */
static int probe_child(const char *file) {
  struct stat st;
  if (chown(file, 1000, 1001) != 0) return 2;
  if (stat(file, &st) != 0 || st.st_uid != 1000 || st.st_gid != 1001) return 3;
  if (fchownat(AT_FDCWD, file, 0, 0, AT_SYMLINK_NOFOLLOW) != 0) return 4;
  if (lstat(file, &st) != 0 || st.st_uid != 0 || st.st_gid != 0) return 5;
  return 0;
}

static void usage(void) {
  fprintf(stderr, "usage: kiln-idshift [--no-stat] [--stats] -- PROGRAM ARGS...\n       kiln-idshift --probe FILE\n");
}

int main(int argc, char **argv) {
  int fake_stat = 1;
  int stats = 0;
  const char *probe = NULL;
  int i = 1;
  for (; i < argc; i++) {
    if (strcmp(argv[i], "--") == 0) {
      i++;
      break;
    }
    if (strcmp(argv[i], "--no-stat") == 0) fake_stat = 0;
    else if (strcmp(argv[i], "--stats") == 0) stats = 1;
    else if (strcmp(argv[i], "--probe") == 0 && i + 1 < argc) probe = argv[++i];
    else {
      fprintf(stderr, "kiln-idshift: unknown option %s\n", argv[i]);
      usage();
      return SETUP_FAILED;
    }
  }
  if (probe == NULL && i >= argc) {
    usage();
    return SETUP_FAILED;
  }
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) die("socketpair");
  pid_t parent = getpid();
  pid_t child = fork();
  if (child < 0) die("fork");
  if (child == 0) {
    close(sv[0]);
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) _exit(SETUP_FAILED);
    int listener = install_filter(probe != NULL || fake_stat);
    if (listener < 0) {
      fprintf(stderr, "kiln-idshift: cannot install the seccomp filter: %s\n", strerror(errno));
      _exit(SETUP_FAILED);
    }
    send_fd(sv[1], listener);
    close(listener);
    close(sv[1]);
    if (probe != NULL) _exit(probe_child(probe));
    execvp(argv[i], argv + i);
    fprintf(stderr, "kiln-idshift: cannot run %s: %s\n", argv[i], strerror(errno));
    _exit(127);
  }
  close(sv[1]);
  forward_to = child;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = forward_signal;
  sa.sa_flags = SA_RESTART;
  int forwarded[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
  for (unsigned k = 0; k < sizeof forwarded / sizeof forwarded[0]; k++) sigaction(forwarded[k], &sa, NULL);
  struct supervisor s;
  memset(&s, 0, sizeof s);
  s.listener = receive_fd(sv[0]);
  s.child = child;
  s.fake_stat = probe != NULL || fake_stat;
  close(sv[0]);
  if (s.listener < 0) {
    int status;
    waitpid(child, &status, 0);
    return exit_status(status) == 0 ? SETUP_FAILED : exit_status(status);
  }
  s.procfd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (s.procfd < 0) die("/proc");
  struct stat own_userns;
  if (fstatat(s.procfd, "self/ns/user", &own_userns, 0) != 0) die("/proc/self/ns/user");
  s.userns_dev = own_userns.st_dev;
  s.userns_ino = own_userns.st_ino;
  int code = supervise(&s);
  if (s.count.unrecorded > 0)
    fprintf(stderr,
            "kiln-idshift: warning: %lu chown call(s) could not be recorded (only regular files and directories "
            "can carry owners without subordinate ids; the others stay 0:0 in the layer), first: %s\n",
            s.count.unrecorded, s.first_unrecorded);
  if (stats)
    fprintf(stderr, "kiln-idshift: chown=%lu stat=%lu faked=%lu continued=%lu unrecorded=%lu\n", s.count.chown,
            s.count.stat, s.count.faked, s.count.cont, s.count.unrecorded);
  return code;
}
