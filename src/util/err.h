/* err.h - error values passed up from library code to the command layer.
 *
 * Library modules never print or exit: they fill a struct err and return -1.
 * Only main.c and src/cmd/ print the message and choose the exit code.
 */
#ifndef LOADREP_ERR_H
#define LOADREP_ERR_H

/* Exit codes (docs/exit-codes.md); the values are those of <sysexits.h>. */
enum {
  LR_OK = 0,
  LR_NO = 1,           /* the answer is "no": regression, failed SLO */
  LR_USAGE = 64,       /* bad flags or arguments */
  LR_DATAERR = 65,     /* malformed or invalid input data */
  LR_NOINPUT = 66,     /* missing input file, run or baseline */
  LR_UNAVAILABLE = 69, /* external tool missing or failed */
  LR_SOFTWARE = 70,    /* internal error */
  LR_OSERR = 71,       /* out of memory and other OS failures */
  LR_CANTCREAT = 73,   /* cannot create an output file */
  LR_IOERR = 74        /* read or write error */
};

struct err {
  int code;       /* one of the LR_* values */
  char msg[1024]; /* one line, no program name, no final newline */
};
#define ERR_INIT {0, {0}}

/** Fills `e` (when not NULL) and returns -1, for `return err_set(...)`. */
int err_set(struct err *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/** Prints "loadrep: <msg>" on stderr. */
void err_print(const struct err *e);

/** Prints "loadrep: warning: ..." on stderr. */
void warnf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** Prints "loadrep: ..." on stderr. */
void errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** Programming error: prints and aborts. */
#define BUG(...) bug_at(__FILE__, __LINE__, __VA_ARGS__)
_Noreturn void bug_at(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
