/* posix_spawn_file_actions_addchdir_np is a GNU extension (glibc >= 2.29). */
#define _GNU_SOURCE 1
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/spawn.h"

extern char **environ;

static int is_exec_file(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

int spawn_find_program(const char *name) {
  if (!name || !*name)
    return 0;
  if (strchr(name, '/'))
    return is_exec_file(name);
  const char *path = getenv("PATH");
  if (!path || !*path)
    path = "/usr/bin:/bin";
  struct strbuf sb = STRBUF_INIT;
  int found = 0;
  for (const char *p = path; !found;) {
    const char *colon = strchr(p, ':');
    size_t n = colon ? (size_t)(colon - p) : strlen(p);
    strbuf_reset(&sb);
    if (n)
      strbuf_add(&sb, p, n);
    else
      strbuf_addch(&sb, '.');
    strbuf_addch(&sb, '/');
    strbuf_addstr(&sb, name);
    found = is_exec_file(sb.buf);
    if (!colon)
      break;
    p = colon + 1;
  }
  strbuf_release(&sb);
  return found;
}

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void spawn_result_release(struct spawn_result *r) { strbuf_release(&r->err); }

/* Waits for pid with WNOHANG until deadline (ms, 0 = none). Returns 1 when
 * reaped (status in *st), 0 at the deadline. */
static int wait_until(pid_t pid, int *st, long long deadline) {
  for (;;) {
    pid_t w = waitpid(pid, st, WNOHANG);
    if (w == pid)
      return 1;
    if (w < 0 && errno != EINTR)
      return 1; /* nothing to wait for */
    if (deadline && now_ms() >= deadline)
      return 0;
    struct timespec nap = {0, 10 * 1000 * 1000};
    nanosleep(&nap, NULL);
  }
}

int spawn_run(const struct spawn_opts *o, struct spawn_result *r) {
  r->status = 0;
  r->timed_out = r->not_found = r->truncated = 0;
  strbuf_reset(&r->err);
  /* Resolve first: some libcs report a missing program only as exit 127. */
  if (!spawn_find_program(o->argv[0])) {
    r->not_found = 1;
    errno = ENOENT;
    return -1;
  }
  int pfd[2];
  if (pipe(pfd) < 0)
    return -1;
  fcntl(pfd[0], F_SETFD, FD_CLOEXEC);
  fcntl(pfd[1], F_SETFD, FD_CLOEXEC);

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, pfd[1], 2);
  if (o->cwd)
    posix_spawn_file_actions_addchdir_np(&fa, o->cwd);
  /* The child starts with default signal dispositions and mask. */
  posix_spawnattr_t at;
  posix_spawnattr_init(&at);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&at, &none);
  sigset_t defs;
  sigemptyset(&defs);
  sigaddset(&defs, SIGPIPE);
  sigaddset(&defs, SIGTERM);
  sigaddset(&defs, SIGINT);
  posix_spawnattr_setsigdefault(&at, &defs);
  /* Its own process group, so a timeout also stops what it started. */
  posix_spawnattr_setpgroup(&at, 0);
  posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);

  pid_t pid;
  int rc = posix_spawnp(&pid, o->argv[0], &fa, &at, (char *const *)o->argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&at);
  close(pfd[1]);
  if (rc != 0) {
    close(pfd[0]);
    if (rc == ENOENT || rc == EACCES)
      r->not_found = 1;
    errno = rc;
    return -1;
  }

  long long deadline = o->timeout_ms > 0 ? now_ms() + o->timeout_ms : 0;
  int open_fd = 1, st = 0, reaped = 0;
  char buf[4096];
  while (open_fd) {
    int wait = -1;
    if (deadline) {
      long long left = deadline - now_ms();
      if (left <= 0)
        break;
      wait = left > 1000 ? 1000 : (int)left;
    }
    struct pollfd p = {pfd[0], POLLIN, 0};
    int n = poll(&p, 1, wait);
    if (n < 0 && errno != EINTR)
      break;
    if (n <= 0)
      continue;
    ssize_t got = read(pfd[0], buf, sizeof buf);
    if (got < 0 && errno == EINTR)
      continue;
    if (got <= 0) {
      open_fd = 0;
      break;
    }
    size_t keep = r->err.len < o->err_cap ? o->err_cap - r->err.len : 0;
    if ((size_t)got > keep)
      r->truncated = 1;
    strbuf_add(&r->err, buf, (size_t)got < keep ? (size_t)got : keep);
  }
  close(pfd[0]);
  /* EOF on stderr does not mean the child exited: wait up to the deadline. */
  reaped = wait_until(pid, &st, deadline);
  if (!reaped) {
    r->timed_out = 1;
    kill(-pid, SIGTERM);
    if (!wait_until(pid, &st, now_ms() + 1000)) {
      kill(-pid, SIGKILL);
      wait_until(pid, &st, 0);
    }
  }
  r->status = spawn_exit_status(st, 255);
  if (r->status == 127 && !r->timed_out)
    r->not_found = 1;
  return 0;
}

int spawn_exit_status(int wait_status, int other) {
  if (WIFEXITED(wait_status))
    return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status))
    return 128 + WTERMSIG(wait_status);
  return other;
}

int spawn_start(const char *const *argv, const sigset_t *mask, pid_t *pid) {
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t def, none;
  sigemptyset(&def);
  sigaddset(&def, SIGPIPE);
  sigaddset(&def, SIGINT);
  sigaddset(&def, SIGTERM);
  sigaddset(&def, SIGCHLD);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attr, &def);
  posix_spawnattr_setsigmask(&attr, mask ? mask : &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  int e = posix_spawnp(pid, argv[0], NULL, &attr, (char *const *)argv, environ);
  posix_spawnattr_destroy(&attr);
  return e;
}
