/* spawn.h - run an external program (gnuplot) safely, after git's run-command.
 *
 * No shell is involved: argv goes to posix_spawnp() as is. stdin and stdout
 * are /dev/null; stderr is captured through a pipe into a bounded buffer. A
 * timeout sends SIGTERM, then SIGKILL after a grace second; the child is
 * always reaped.
 *
 * Usage:
 *   const char *argv[] = {"gnuplot", "chart.gp", NULL};
 *   struct spawn_opts o = SPAWN_OPTS_INIT; o.argv = argv; o.cwd = dir;
 *   struct spawn_result r = SPAWN_RESULT_INIT;
 *   if (spawn_run(&o, &r) < 0) ... r.not_found ...;
 *   else if (r.status != 0) ... r.err.buf ...;
 *   spawn_result_release(&r);
 */
#ifndef LOADREP_SPAWN_H
#define LOADREP_SPAWN_H
#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

#include "util/strbuf.h"

struct spawn_opts {
  const char *const *argv; /* argv[0] is looked up in PATH unless it has a '/' */
  const char *cwd;         /* directory the child starts in, or NULL */
  int timeout_ms;          /* 0: wait forever */
  size_t err_cap;          /* bytes of stderr kept (the rest is drained) */
};
#define SPAWN_OPTS_INIT {NULL, NULL, 30000, 65536}

struct spawn_result {
  int status;     /* exit code, or 128+signal */
  int timed_out;  /* killed because of the timeout */
  int not_found;  /* the program does not exist or is not executable */
  int truncated;  /* stderr was longer than err_cap */
  struct strbuf err;
};
#define SPAWN_RESULT_INIT {0, 0, 0, 0, STRBUF_INIT}

/** Runs the program and waits for it. Returns 0 when it ran (whatever its
 *  status), -1 when it could not be started (r->not_found, or errno set). */
int spawn_run(const struct spawn_opts *o, struct spawn_result *r);
void spawn_result_release(struct spawn_result *r);

/** Starts argv without waiting (for a command loadrep watches, as `sysmon --`
 *  does): stdio inherited, the caller's process group, signal mask `mask`
 *  (NULL: none blocked) and SIGPIPE, SIGINT, SIGTERM and SIGCHLD at their
 *  defaults. Returns 0 with *pid set, or the errno value posix_spawnp gave. */
int spawn_start(const char *const *argv, const sigset_t *mask, pid_t *pid);

/** The exit status a shell would show for a waitpid() status: the exit
 *  code, 128+signal, or `other` for anything else. */
int spawn_exit_status(int wait_status, int other);

/** Finds a program: an argv[0] with '/' must be an executable file; else it
 *  is searched in $PATH. Returns 1 when found. */
int spawn_find_program(const char *name);

#endif
