/* chart.h - charts drawn by gnuplot from a script and a data file.
 *
 * chart_write() writes DIR/NAME.gp and DIR/NAME.tsv; chart_run() runs
 * gnuplot on the script (util/spawn.h: no shell, timeout, stderr kept) and
 * renames NAME.png.tmp / NAME.svg.tmp to NAME.png / NAME.svg only when
 * gnuplot succeeded. Untrusted text never enters the script unquoted:
 * series titles and bar labels live in the data file (gnuplot never expands
 * data-file text), the chart title and axis labels are single-quoted
 * (render/escape.h), and `noenhanced` makes ^ _ @ { } print literally.
 */
#ifndef LOADREP_CHART_H
#define LOADREP_CHART_H
#include <stddef.h>

struct err;

enum chart_kind {
  CHART_LINES, /* x numeric, one line per series */
  CHART_BARS   /* one cluster per row label, one bar per series */
};

struct chart_series {
  const char *title; /* any text: it goes into the data file */
  int y2;            /* plotted against the right axis */
  int style;         /* 0 lines, 1 points, 2 lines+points, 3 dashed line, 4 dotted (interactive twin only) */
};

/** An extra reference line: vertical at x = at (vmarks), or horizontal at
 *  y = at against the left axis, or the right one with y2 (hmarks). */
struct chart_mark {
  double at;         /* NAN = not drawn */
  const char *title; /* label beside the line; NULL = none */
  int y2;
};

struct chart {
  const char *name; /* file stem, made safe with esc_filename() */
  const char *title, *xlabel, *ylabel, *y2label; /* any text; NULL = none */
  enum chart_kind kind;
  size_t nseries;
  const struct chart_series *series;
  size_t nrows;
  const double *x;           /* CHART_LINES: nrows x values */
  const char *const *labels; /* CHART_BARS: nrows row labels */
  const double *y;           /* nrows * nseries values, row-major; NAN = none */
  double hline;              /* horizontal reference line (e.g. the SLO), NAN = none */
  const char *hline_title;
  double vline;              /* vertical marker (e.g. the knee), NAN = none */
  const char *vline_title;
  int ymin_zero;             /* start the y axes at 0 */
  int logy;                  /* logarithmic left y axis (latency spans decades) */
  const struct chart_mark *vmarks; /* more vertical markers (knee, last passing level...) */
  size_t nvmarks;
  const struct chart_mark *hmarks; /* more horizontal lines (an SLO on the right axis...) */
  size_t nhmarks;
  double xmax;               /* end of the x axis; 0 = where the data end */
  int time_axis;             /* x is seconds since the run's start: the axis starts at 0 */
  int logx;                  /* logarithmic x axis (a distribution over decades of ms) */
  /* The interactive twin only (render/report_html.h): */
  const int *hidden;         /* nseries flags: series shown unticked at first; NULL = all shown */
  const int *group;          /* nseries: series of one group share a colour; NULL = a colour each */
  const char *note;          /* a sentence under the chart; NULL = none */
};

/** Writes DIR/NAME.gp and DIR/NAME.tsv (each via a temp file and rename). */
int chart_write(const struct chart *c, const char *dir, struct err *err);

/** Runs `gnuplot` (a path or a name in PATH) on DIR/NAME.gp in DIR, then
 *  publishes NAME.png and NAME.svg. Errors: LR_UNAVAILABLE when gnuplot is
 *  missing, fails (its stderr, prefixed "gnuplot: ") or times out. */
int chart_run(const char *gnuplot, const char *dir, const char *name, int timeout_ms,
              struct err *err);

/** Which gnuplot to run: $LOADREP_GNUPLOT when set, else "gnuplot". */
const char *chart_gnuplot_program(void);

#endif
