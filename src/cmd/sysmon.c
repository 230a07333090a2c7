/* loadrep sysmon: samples /proc on the machine under test into the wide CSV
 * that `loadrep ingest` reads (src/ingest/sysmetrics.h).
 *
 * Every row is formatted whole and written with one write(2), so a collector
 * killed at any moment (even SIGKILL) leaves a valid file that lost at most
 * the row being taken. Rates (CPU %, context switches, network, disk, per
 * process CPU) are over the interval before the row's timestamp.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cmd/cmd.h"
#include "util/err.h"
#include "util/spawn.h"
#include "util/strbuf.h"
#include "util/timeparse.h"
#include "util/xalloc.h"

static const char usage[] =
    "usage: loadrep sysmon [--interval 1s] [--duration D] [--pid [NAME=]PID]... -o FILE.csv\n"
    "                      [-- COMMAND [ARGS...]]\n"
    "\n"
    "Samples this machine from /proc and writes one CSV row per interval, flushed at\n"
    "once, so the file stays valid even when the collector is killed. The file\n"
    "ingests as is: loadrep ingest --run RUN FILE.csv (or with the k6 files).\n"
    "\n"
    "options:\n"
    "  -o, --output FILE    the CSV to write ('-' for standard output)\n"
    "  --interval D         time between rows: 1s (default), 200ms, ... (at least 10ms)\n"
    "  --duration D         stop after D (default: until stopped or COMMAND exits)\n"
    "  --pid [NAME=]PID     also sample this process; its columns are NAME_cpu_pct,\n"
    "                       NAME_rss_kb, NAME_threads, NAME_open_fds (NAME defaults to\n"
    "                       pidPID). Repeatable. A process that exits is reported once\n"
    "                       on stderr and its columns stay empty from then on.\n"
    "  -- COMMAND ARGS...   run COMMAND (no shell), sample while it runs (its columns\n"
    "                       are named after it), stop when it exits and exit with its\n"
    "                       status (128+N when killed by signal N; 127 when it cannot\n"
    "                       be found, 126 when it cannot be run).\n"
    "\n"
    "columns: timestamp (ISO-8601 UTC, ms), epoch_s, host, host CPU % (user incl.\n"
    "nice, system incl. irq and softirq, iowait, steal, idle, busy = 100 - idle -\n"
    "iowait; all CPUs together), host_ctxt_per_s, mem_total_kb, mem_used_kb (total -\n"
    "available), mem_available_kb, load1/5/15, network bytes/s (net_*: every\n"
    "interface but lo; lo_*: loopback), disk bytes/s (whole disks), and per process\n"
    "CPU % (of one core, as top shows it), RSS, threads and open file descriptors.\n"
    "\n"
    "SIGINT or SIGTERM stops sampling cleanly (exit 0). With COMMAND, a SIGINT or\n"
    "SIGTERM sent to sysmon alone is passed on to COMMAND, and sampling goes on until\n"
    "it exits; a second one kills COMMAND.\n";

/* ---------------------------------------------------------------- /proc */

static int read_file(const char *path, char *buf, size_t cap) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  size_t n = 0;
  while (n + 1 < cap) {
    ssize_t k = read(fd, buf + n, cap - 1 - n);
    if (k < 0 && errno == EINTR)
      continue;
    if (k <= 0)
      break;
    n += (size_t)k;
  }
  close(fd);
  buf[n] = 0;
  return (int)n;
}

struct host_snap {
  double t; /* CLOCK_MONOTONIC seconds */
  int cpu_ok, ctxt_ok, net_ok, disk_ok;
  unsigned long long cpu[8]; /* user nice system idle iowait irq softirq steal */
  unsigned long long ctxt;
  unsigned long long net_rx, net_tx, lo_rx, lo_tx;
  unsigned long long disk_rd, disk_wr; /* bytes */
};

static double mono_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double wall_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int whole_disk(const char *name) {
  static const char *const skip[] = {"loop", "ram", "zram", "dm-", "md", "sr", "fd", NULL};
  for (int i = 0; skip[i]; i++)
    if (!strncmp(name, skip[i], strlen(skip[i])))
      return 0;
  char path[300];
  snprintf(path, sizeof path, "/sys/block/%s", name);
  return access(path, F_OK) == 0;
}

static void host_read(struct host_snap *h) {
  static char buf[1 << 16];
  memset(h, 0, sizeof *h);
  h->t = mono_now();
  if (read_file("/proc/stat", buf, sizeof buf) > 0) {
    char *p = strstr(buf, "cpu ");
    if (p && sscanf(p + 4, "%llu %llu %llu %llu %llu %llu %llu %llu", &h->cpu[0], &h->cpu[1], &h->cpu[2],
                    &h->cpu[3], &h->cpu[4], &h->cpu[5], &h->cpu[6], &h->cpu[7]) >= 4)
      h->cpu_ok = 1;
    p = strstr(buf, "\nctxt ");
    if (p && sscanf(p + 6, "%llu", &h->ctxt) == 1)
      h->ctxt_ok = 1;
  }
  if (read_file("/proc/net/dev", buf, sizeof buf) > 0) {
    h->net_ok = 1;
    for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
      char *colon = strchr(line, ':');
      if (!colon)
        continue;
      *colon = 0;
      while (*line == ' ')
        line++;
      unsigned long long rx, tx;
      if (sscanf(colon + 1, "%llu %*u %*u %*u %*u %*u %*u %*u %llu", &rx, &tx) != 2)
        continue;
      if (!strcmp(line, "lo")) {
        h->lo_rx += rx;
        h->lo_tx += tx;
      } else {
        h->net_rx += rx;
        h->net_tx += tx;
      }
    }
  }
  if (read_file("/proc/diskstats", buf, sizeof buf) > 0) {
    h->disk_ok = 1;
    for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
      char name[64];
      unsigned long long rd, wr;
      if (sscanf(line, "%*u %*u %63s %*u %*u %llu %*u %*u %*u %llu", name, &rd, &wr) != 3)
        continue;
      if (!whole_disk(name))
        continue;
      h->disk_rd += rd * 512;
      h->disk_wr += wr * 512;
    }
  }
}

struct mem_load {
  double total_kb, avail_kb, load[3];
};

static void mem_load_read(struct mem_load *m) {
  char buf[8192];
  m->total_kb = m->avail_kb = NAN;
  m->load[0] = m->load[1] = m->load[2] = NAN;
  if (read_file("/proc/meminfo", buf, sizeof buf) > 0) {
    char *p = strstr(buf, "MemTotal:");
    double v;
    if (p && sscanf(p + 9, "%lf", &v) == 1)
      m->total_kb = v;
    p = strstr(buf, "MemAvailable:");
    if (p && sscanf(p + 13, "%lf", &v) == 1)
      m->avail_kb = v;
  }
  if (read_file("/proc/loadavg", buf, sizeof buf) > 0)
    if (sscanf(buf, "%lf %lf %lf", &m->load[0], &m->load[1], &m->load[2]) != 3)
      m->load[0] = m->load[1] = m->load[2] = NAN;
}

/* A watched process. */
struct proc {
  char *prefix;
  pid_t pid;
  int is_child;
  int gone, reported;
  unsigned long long start_time; /* /proc/PID/stat field 22: tells a reused pid apart */
  unsigned long long ticks;      /* utime + stime at the last sample */
  double t;                      /* when ticks were read */
  int have_ticks;
};

struct proc_sample {
  double cpu_pct, rss_kb, threads, fds;
};

/* 0 with ticks/threads/start filled; -1 when the process is gone (or a zombie). */
static int proc_stat(pid_t pid, unsigned long long *ticks, double *threads, unsigned long long *start) {
  char path[64], buf[4096];
  snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
  if (read_file(path, buf, sizeof buf) <= 0)
    return -1;
  char *p = strrchr(buf, ')');
  char state;
  unsigned long long ut, st;
  long thr;
  if (!p || sscanf(p + 1, " %c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d %*d %ld %*d %llu",
                   &state, &ut, &st, &thr, start) != 5)
    return -1;
  if (state == 'Z' || state == 'X' || state == 'x')
    return -1;
  *ticks = ut + st;
  *threads = (double)thr;
  return 0;
}

static double proc_rss_kb(pid_t pid) {
  char path[64], buf[8192];
  snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
  if (read_file(path, buf, sizeof buf) <= 0)
    return NAN;
  char *p = strstr(buf, "\nVmRSS:");
  double v;
  if (p && sscanf(p + 7, "%lf", &v) == 1)
    return v;
  return NAN;
}

static double proc_fds(pid_t pid) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%ld/fd", (long)pid);
  DIR *d = opendir(path);
  if (!d)
    return NAN;
  double n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL)
    if (e->d_name[0] != '.')
      n++;
  closedir(d);
  return n;
}

/* Samples p; returns 1 when it has just been found gone. */
static int proc_sample(struct proc *p, struct proc_sample *out) {
  out->cpu_pct = out->rss_kb = out->threads = out->fds = NAN;
  if (p->gone)
    return 0;
  unsigned long long ticks, start;
  double threads;
  double t = mono_now();
  if (proc_stat(p->pid, &ticks, &threads, &start) < 0 || start != p->start_time) {
    p->gone = 1;
    return 1;
  }
  if (p->have_ticks && t > p->t && ticks >= p->ticks)
    out->cpu_pct = (double)(ticks - p->ticks) / (double)sysconf(_SC_CLK_TCK) / (t - p->t) * 100.0;
  p->ticks = ticks;
  p->t = t;
  p->have_ticks = 1;
  out->threads = threads;
  out->rss_kb = proc_rss_kb(p->pid);
  out->fds = proc_fds(p->pid);
  return 0;
}

/* ---------------------------------------------------------------- rows */

/* ",value" with `dec` decimals, or "," alone for a missing value. */
static void cell(struct strbuf *sb, int dec, double v) {
  strbuf_addch(sb, ',');
  if (isfinite(v))
    strbuf_addf(sb, "%.*f", dec, v);
}

static double rate(unsigned long long now, unsigned long long before, double dt, int ok) {
  if (!ok || dt <= 0 || now < before)
    return NAN;
  return (double)(now - before) / dt;
}

static void header(struct strbuf *sb, const struct proc *procs, size_t n) {
  strbuf_addstr(sb, "timestamp,epoch_s,host,host_cpu_user_pct,host_cpu_system_pct,host_cpu_iowait_pct,"
                    "host_cpu_steal_pct,host_cpu_idle_pct,host_cpu_busy_pct,host_ctxt_per_s,"
                    "mem_total_kb,mem_used_kb,mem_available_kb,load1,load5,load15,"
                    "net_rx_bytes_per_s,net_tx_bytes_per_s,lo_rx_bytes_per_s,lo_tx_bytes_per_s,"
                    "disk_read_bytes_per_s,disk_write_bytes_per_s");
  for (size_t i = 0; i < n; i++)
    strbuf_addf(sb, ",%s_cpu_pct,%s_rss_kb,%s_threads,%s_open_fds", procs[i].prefix, procs[i].prefix,
                procs[i].prefix, procs[i].prefix);
  strbuf_addch(sb, '\n');
}

static void row(struct strbuf *sb, const char *host, const struct host_snap *a, const struct host_snap *b,
                const struct proc_sample *ps, size_t n) {
  double wall = wall_now();
  char iso[64];
  time_format_iso(wall, iso);
  strbuf_addf(sb, "%s,%.3f,%s", iso, floor(wall * 1000.0 + 0.5) / 1000.0, host);
  double dt = b->t - a->t;
  double pct[6] = {NAN, NAN, NAN, NAN, NAN, NAN}; /* user system iowait steal idle busy */
  if (a->cpu_ok && b->cpu_ok) {
    double d[8], total = 0;
    for (int i = 0; i < 8; i++) {
      d[i] = b->cpu[i] >= a->cpu[i] ? (double)(b->cpu[i] - a->cpu[i]) : 0;
      total += d[i];
    }
    if (total > 0) {
      pct[0] = (d[0] + d[1]) / total * 100;
      pct[1] = (d[2] + d[5] + d[6]) / total * 100;
      pct[2] = d[4] / total * 100;
      pct[3] = d[7] / total * 100;
      pct[4] = d[3] / total * 100;
      pct[5] = 100 - pct[4] - pct[2];
      if (pct[5] < 0)
        pct[5] = 0;
    }
  }
  for (int i = 0; i < 6; i++)
    cell(sb, 2, pct[i]);
  cell(sb, 1, rate(b->ctxt, a->ctxt, dt, a->ctxt_ok && b->ctxt_ok));
  struct mem_load m;
  mem_load_read(&m);
  cell(sb, 0, m.total_kb);
  cell(sb, 0, m.total_kb - m.avail_kb);
  cell(sb, 0, m.avail_kb);
  for (int i = 0; i < 3; i++)
    cell(sb, 2, m.load[i]);
  int net = a->net_ok && b->net_ok, disk = a->disk_ok && b->disk_ok;
  cell(sb, 1, rate(b->net_rx, a->net_rx, dt, net));
  cell(sb, 1, rate(b->net_tx, a->net_tx, dt, net));
  cell(sb, 1, rate(b->lo_rx, a->lo_rx, dt, net));
  cell(sb, 1, rate(b->lo_tx, a->lo_tx, dt, net));
  cell(sb, 1, rate(b->disk_rd, a->disk_rd, dt, disk));
  cell(sb, 1, rate(b->disk_wr, a->disk_wr, dt, disk));
  for (size_t i = 0; i < n; i++) {
    cell(sb, 2, ps[i].cpu_pct);
    cell(sb, 0, ps[i].rss_kb);
    cell(sb, 0, ps[i].threads);
    cell(sb, 0, ps[i].fds);
  }
  strbuf_addch(sb, '\n');
}

static int write_all(int fd, const char *p, size_t n) {
  while (n) {
    ssize_t k = write(fd, p, n);
    if (k < 0 && errno == EINTR)
      continue;
    if (k <= 0)
      return -1;
    p += k;
    n -= (size_t)k;
  }
  return 0;
}

/* ---------------------------------------------------------------- signals */

static volatile sig_atomic_t stop_count, stop_sig, stop_from_kill, child_changed;

static void on_signal(int sig, siginfo_t *si, void *uc) {
  (void)uc;
  if (sig == SIGCHLD) {
    child_changed = 1;
    return;
  }
  stop_count++;
  stop_sig = sig;
  stop_from_kill = si && (si->si_code == SI_USER || si->si_code == SI_QUEUE);
}

/* Sleeps until `deadline` (monotonic; <= 0: no deadline) or a signal. */
static void wait_until(double deadline, const sigset_t *unblocked) {
  struct timespec ts, *tsp = NULL;
  if (deadline > 0) {
    double d = deadline - mono_now();
    if (d <= 0)
      return;
    ts.tv_sec = (time_t)d;
    ts.tv_nsec = (long)((d - (double)ts.tv_sec) * 1e9);
    tsp = &ts;
  }
  pselect(0, NULL, NULL, NULL, tsp, unblocked);
}

/* ---------------------------------------------------------------- command */

static int valid_prefix(const char *s, size_t n) {
  if (!n || n > 40)
    return 0;
  for (size_t i = 0; i < n; i++)
    if (!(s[i] == '_' || (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
          (s[i] >= '0' && s[i] <= '9')))
      return 0;
  return 1;
}

static int parse_pid_opt(const char *arg, struct proc *p, struct err *err) {
  const char *eq = strchr(arg, '=');
  const char *num = eq ? eq + 1 : arg;
  char *end;
  errno = 0;
  long v = strtol(num, &end, 10);
  if (end == num || *end || errno || v <= 0 || v > 0x7fffffffL)
    return err_set(err, LR_USAGE, "option '--pid': expected [NAME=]PID, got '%s'", arg);
  if (eq && !valid_prefix(arg, (size_t)(eq - arg)))
    return err_set(err, LR_USAGE, "option '--pid': NAME must be letters, digits and _, got '%s'", arg);
  memset(p, 0, sizeof *p);
  p->pid = (pid_t)v;
  if (eq)
    p->prefix = xstrndup(arg, (size_t)(eq - arg));
  else {
    struct strbuf sb = STRBUF_INIT;
    strbuf_addf(&sb, "pid%ld", v);
    p->prefix = strbuf_detach(&sb, NULL);
  }
  return 0;
}

/* Column prefix for the spawned command: its base name, made a valid name. */
static char *command_prefix(const char *cmd, const struct proc *procs, size_t n) {
  const char *b = strrchr(cmd, '/');
  b = b ? b + 1 : cmd;
  struct strbuf sb = STRBUF_INIT;
  for (const char *p = b; *p && sb.len < 32; p++)
    strbuf_addch(&sb, valid_prefix(p, 1) ? *p : '_');
  if (!sb.len)
    strbuf_addstr(&sb, "cmd");
  for (size_t i = 0; i < n; i++)
    if (!strcmp(procs[i].prefix, sb.buf)) {
      strbuf_addstr(&sb, "_cmd");
      break;
    }
  return strbuf_detach(&sb, NULL);
}

struct sysmon_opts {
  double interval, duration;
  const char *out_path;
  struct proc *procs;
  size_t nprocs, cap;
  char **cmd_argv; /* after "--"; NULL when none */
};

/* Parses the options before "--"; -1 to go on, else the exit code (--help,
 * a usage error, a --pid with no process). */
static int parse_opts(int argc, char **argv, struct sysmon_opts *o) {
  static const struct option opts[] = {{"interval", required_argument, NULL, 'i'},
                                       {"duration", required_argument, NULL, 'd'},
                                       {"pid", required_argument, NULL, 'p'},
                                       {"output", required_argument, NULL, 'o'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  struct err err = ERR_INIT;
  /* Everything after "--" is the command. */
  int cmd_at = -1;
  for (int i = 1; i < argc; i++)
    if (!strcmp(argv[i], "--")) {
      cmd_at = i;
      break;
    }
  int opt_argc = cmd_at >= 0 ? cmd_at : argc;
  o->cmd_argv = cmd_at >= 0 && cmd_at + 1 < argc ? argv + cmd_at + 1 : NULL;
  if (cmd_at >= 0 && !o->cmd_argv)
    return usage_error("sysmon", "'--' must be followed by a command");
  int c;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(opt_argc, argv, "+ho:", opts, NULL)) != -1) {
    switch (c) {
    case 'h':
      fputs(usage, stdout);
      return LR_OK;
    case 'i':
      if (parse_duration("--interval", optarg, &o->interval, &err) < 0)
        return usage_error("sysmon", "%s", err.msg);
      if (o->interval < 0.01)
        return usage_error("sysmon", "option '--interval': expected at least 10ms, got '%s'", optarg);
      break;
    case 'd':
      if (parse_duration("--duration", optarg, &o->duration, &err) < 0)
        return usage_error("sysmon", "%s", err.msg);
      break;
    case 'p':
      XGROW(o->procs, o->cap, o->nprocs + 1);
      if (parse_pid_opt(optarg, &o->procs[o->nprocs], &err) < 0)
        return usage_error("sysmon", "%s", err.msg);
      o->nprocs++;
      break;
    case 'o':
      o->out_path = optarg;
      break;
    default:
      if (optopt && optopt != '?')
        return usage_error("sysmon", "option '-%c' needs a value or is unknown", optopt);
      return usage_error("sysmon", "unknown option or missing value: '%s'", argv[optind - 1]);
    }
  }
  if (optind < opt_argc)
    return usage_error("sysmon", "unexpected argument '%s' (put the command to run after '--')", argv[optind]);
  if (!o->out_path)
    return usage_error("sysmon", "missing -o FILE.csv");
  for (size_t i = 0; i < o->nprocs; i++) {
    for (size_t j = 0; j < i; j++)
      if (!strcmp(o->procs[i].prefix, o->procs[j].prefix))
        return usage_error("sysmon", "option '--pid': name '%s' given twice", o->procs[i].prefix);
    unsigned long long t;
    double th;
    if (proc_stat(o->procs[i].pid, &t, &th, &o->procs[i].start_time) < 0) {
      errorf("sysmon: no process with pid %ld", (long)o->procs[i].pid);
      return LR_NOINPUT;
    }
  }
  return -1;
}

/* SIGINT, SIGTERM and SIGCHLD: blocked except while waiting in pselect(). */
struct sig_state {
  sigset_t orig, unblocked;
  struct sigaction old_int, old_term, old_chld;
};

static void signals_catch(struct sig_state *ss) {
  sigset_t block;
  sigemptyset(&block);
  sigaddset(&block, SIGINT);
  sigaddset(&block, SIGTERM);
  sigaddset(&block, SIGCHLD);
  sigprocmask(SIG_BLOCK, &block, &ss->orig);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_signal;
  sa.sa_flags = SA_SIGINFO;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &ss->old_int);
  sigaction(SIGTERM, &sa, &ss->old_term);
  sigaction(SIGCHLD, &sa, &ss->old_chld);
  stop_count = 0;
  child_changed = 0;
  ss->unblocked = ss->orig;
  sigdelset(&ss->unblocked, SIGINT);
  sigdelset(&ss->unblocked, SIGTERM);
  sigdelset(&ss->unblocked, SIGCHLD);
}

static void signals_restore(const struct sig_state *ss) {
  sigaction(SIGINT, &ss->old_int, NULL);
  sigaction(SIGTERM, &ss->old_term, NULL);
  sigaction(SIGCHLD, &ss->old_chld, NULL);
  sigprocmask(SIG_SETMASK, &ss->orig, NULL);
}

/* The command being sampled, started by sysmon. */
struct child_state {
  pid_t pid; /* -1: none */
  int done, status;
};

/* Writes the header, then a row every interval until the duration is over
 * (and the command has ended), a signal stops it, or a write fails;
 * returns LR_OK or LR_IOERR. *rows counts the rows written. */
static int sample_rows(int fd, const char *host, struct sysmon_opts *o, struct child_state *ch,
                       const sigset_t *unblocked, long *rows) {
  struct proc *procs = o->procs;
  size_t nprocs = o->nprocs;
  struct strbuf line = STRBUF_INIT;
  int rc = LR_OK;
  header(&line, procs, nprocs);
  if (write_all(fd, line.buf, line.len) < 0) {
    errorf("sysmon: cannot write '%s': %s", o->out_path, strerror(errno));
    strbuf_release(&line);
    return LR_IOERR;
  }
  struct proc_sample *ps = xcalloc(nprocs + 1, sizeof *ps);
  struct host_snap prev, cur;
  host_read(&prev);
  for (size_t i = 0; i < nprocs; i++)
    proc_sample(&procs[i], &ps[i]); /* primes CPU ticks */
  double t0 = prev.t, next = t0 + o->interval;
  int sampling = 1;
  while (sampling || (ch->pid > 0 && !ch->done)) {
    if (child_changed && ch->pid > 0 && !ch->done) {
      child_changed = 0;
      if (waitpid(ch->pid, &ch->status, WNOHANG) == ch->pid)
        ch->done = 1;
    }
    if (ch->pid > 0 && ch->done)
      break;
    if (stop_count) {
      if (ch->pid > 0 && !ch->done) {
        static int forwarded;
        if (stop_count >= 2)
          kill(ch->pid, SIGKILL);
        else if (!forwarded && stop_from_kill)
          kill(ch->pid, stop_sig);
        forwarded = 1;
      } else {
        break;
      }
    }
    if (!sampling) {
      wait_until(0, unblocked);
      continue;
    }
    if (mono_now() < next) {
      wait_until(next, unblocked);
      continue;
    }
    host_read(&cur);
    for (size_t i = 0; i < nprocs; i++) {
      if (proc_sample(&procs[i], &ps[i]) && !procs[i].reported && !procs[i].is_child) {
        procs[i].reported = 1;
        errorf("sysmon: process %ld (%s) exited; its columns stay empty", (long)procs[i].pid, procs[i].prefix);
      }
    }
    strbuf_reset(&line);
    row(&line, host, &prev, &cur, ps, nprocs);
    if (write_all(fd, line.buf, line.len) < 0) {
      errorf("sysmon: cannot write '%s': %s", o->out_path, strerror(errno));
      rc = LR_IOERR;
      break;
    }
    (*rows)++;
    prev = cur;
    double now = mono_now();
    next += o->interval;
    if (next <= now)
      next = now + o->interval;
    if (o->duration > 0 && now - t0 >= o->duration - o->interval / 2)
      sampling = 0;
  }
  free(ps);
  strbuf_release(&line);
  return rc;
}

/* Starts the command after "--" and adds it to the sampled processes;
 * 0, or the exit code when it cannot run. */
static int start_command(struct sysmon_opts *o, const sigset_t *orig, struct child_state *ch) {
  int e = spawn_start((const char *const *)o->cmd_argv, orig, &ch->pid);
  if (e != 0) {
    errorf("sysmon: cannot run '%s': %s", o->cmd_argv[0], strerror(e));
    ch->pid = -1;
    return e == ENOENT ? 127 : 126;
  }
  XGROW(o->procs, o->cap, o->nprocs + 1);
  struct proc *p = &o->procs[o->nprocs];
  memset(p, 0, sizeof *p);
  p->prefix = command_prefix(o->cmd_argv[0], o->procs, o->nprocs);
  p->pid = ch->pid;
  p->is_child = 1;
  unsigned long long t;
  double th;
  if (proc_stat(ch->pid, &t, &th, &p->start_time) < 0)
    p->gone = p->reported = 1; /* already exited */
  o->nprocs++;
  return 0;
}

int cmd_sysmon(int argc, char **argv, const struct global_opts *g) {
  struct sysmon_opts o = {.interval = 1.0};
  long rows = 0;
  int rc = parse_opts(argc, argv, &o);
  if (rc >= 0)
    goto out;
  rc = LR_OK;

  char host[256] = "";
  if (gethostname(host, sizeof host - 1) != 0)
    host[0] = 0;
  for (char *p = host; *p; p++)
    if (*p == ',' || *p == '"' || (unsigned char)*p < 0x20)
      *p = '_';

  int fd = 1;
  if (strcmp(o.out_path, "-") != 0) {
    fd = open(o.out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
      errorf("sysmon: cannot create '%s': %s", o.out_path, strerror(errno));
      rc = LR_CANTCREAT;
      goto out;
    }
  }
  struct sig_state ss;
  signals_catch(&ss);
  struct child_state ch = {-1, 0, 0};
  if (o.cmd_argv && (rc = start_command(&o, &ss.orig, &ch)) != 0)
    goto restore;
  rc = sample_rows(fd, host, &o, &ch, &ss.unblocked, &rows);
  if (ch.pid > 0 && !ch.done) {
    if (rc != LR_OK)
      kill(ch.pid, SIGTERM);
    while (waitpid(ch.pid, &ch.status, 0) < 0 && errno == EINTR)
      ;
    ch.done = 1;
  }
  if (ch.pid > 0 && rc == LR_OK)
    rc = spawn_exit_status(ch.status, LR_SOFTWARE);
  if (!g->quiet && fd != 1)
    fprintf(stderr, "loadrep: sysmon: %ld rows written to %s\n", rows, o.out_path);
restore:
  if (fd > 2 && close(fd) != 0 && rc == LR_OK) {
    errorf("sysmon: cannot write '%s': %s", o.out_path, strerror(errno));
    rc = LR_IOERR;
  }
  signals_restore(&ss);
out:
  for (size_t i = 0; i < o.nprocs; i++)
    free(o.procs[i].prefix);
  free(o.procs);
  return rc;
}
