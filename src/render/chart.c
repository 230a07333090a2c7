#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "render/chart.h"
#include "render/escape.h"
#include "render/outfile.h"
#include "util/err.h"
#include "util/spawn.h"
#include "util/strbuf.h"

/* A fixed, readable palette (colour-blind safe Okabe-Ito order). */
static const char *const palette[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                      "#E69F00", "#56B4E9", "#000000", "#F0E442"};
#define NPALETTE (sizeof palette / sizeof palette[0])

const char *chart_gnuplot_program(void) {
  const char *g = getenv("LOADREP_GNUPLOT");
  return g && *g ? g : "gnuplot";
}

static void add_num(struct strbuf *sb, double v) {
  if (isnan(v) || isinf(v))
    strbuf_addstr(sb, "NaN");
  else
    strbuf_addf(sb, "%.6g", v);
}

static void set_str(struct strbuf *gp, const char *cmd, const char *s) {
  if (!s)
    return;
  strbuf_addf(gp, "%s ", cmd);
  esc_gnuplot(gp, s);
  strbuf_addch(gp, '\n');
}

static void write_tsv(const struct chart *c, struct strbuf *tsv) {
  /* Header: the series titles (read by `title columnhead(N)`). */
  strbuf_addstr(tsv, c->kind == CHART_BARS ? "row\tlabel" : "x");
  for (size_t s = 0; s < c->nseries; s++) {
    strbuf_addch(tsv, '\t');
    esc_tsv(tsv, c->series[s].title ? c->series[s].title : "");
  }
  strbuf_addch(tsv, '\n');
  for (size_t r = 0; r < c->nrows; r++) {
    if (c->kind == CHART_BARS) {
      strbuf_addf(tsv, "%zu\t", r);
      esc_tsv(tsv, c->labels && c->labels[r] ? c->labels[r] : "");
    } else {
      add_num(tsv, c->x ? c->x[r] : (double)r);
    }
    for (size_t s = 0; s < c->nseries; s++) {
      strbuf_addch(tsv, '\t');
      add_num(tsv, c->y[r * c->nseries + s]);
    }
    strbuf_addch(tsv, '\n');
  }
}

static void terminal(struct strbuf *gp, const char *stem, int png) {
  if (png)
    /* For the PDF: 1.6 times the SVG's size with the same layout, about
     * 230 dpi across the page's 495-pt text width. */
    strbuf_addstr(gp, "set terminal pngcairo size 1600,736 noenhanced font 'DejaVu Sans,16' linewidth 1.6 "
                      "background '#ffffff'\n");
  else
    strbuf_addstr(gp, "set terminal svg size 1000,460 noenhanced font 'DejaVu Sans,10' "
                      "background '#ffffff'\n");
  strbuf_addstr(gp, "set termoption noenhanced\n");
  struct strbuf out = STRBUF_INIT;
  strbuf_addf(&out, "%s.%s.tmp", stem, png ? "png" : "svg");
  set_str(gp, "set output", out.buf);
  strbuf_release(&out);
}

/* The extra markers: arrows and labels numbered from 3. Vertical labels
 * are staggered down the plot so that neighbours do not overlap. */
static void marks(const struct chart *c, struct strbuf *gp) {
  static const char *const vcolors[] = {"#555555", "#2b7a0b", "#cc0000", "#7b3294"};
  int id = 3;
  if (c->kind == CHART_LINES) {
    /* The axis ends where the data (or the run) end, not at the next tic. */
    strbuf_addstr(gp, "set autoscale xfix\n");
    if (c->xmax > 0 || c->time_axis) {
      strbuf_addstr(gp, c->time_axis ? "set xrange [0:" : "set xrange [*:");
      if (c->xmax > 0)
        add_num(gp, c->xmax);
      else
        strbuf_addch(gp, '*');
      strbuf_addstr(gp, "]\n");
    }
  }
  /* The x range, to tell which markers are close neighbours. */
  double lo = INFINITY, hi = c->xmax > 0 ? c->xmax : -INFINITY;
  for (size_t r = 0; r < c->nrows && c->kind == CHART_LINES; r++) {
    lo = fmin(lo, c->x[r]);
    hi = fmax(hi, c->x[r]);
  }
  for (size_t i = 0; i < c->nvmarks && c->kind == CHART_LINES; i++, id++) {
    const struct chart_mark *m = &c->vmarks[i];
    if (isnan(m->at))
      continue;
    /* A label with another marker close on its right goes on the left of
     * its line, so that it crosses no other marker. */
    int left = 0;
    for (size_t j = 0; j < c->nvmarks; j++)
      left |= j != i && c->vmarks[j].at > m->at && c->vmarks[j].at - m->at < 0.3 * (hi - lo);
    const char *col = vcolors[i % 4];
    strbuf_addf(gp, "set arrow %d from first ", id);
    add_num(gp, m->at);
    strbuf_addstr(gp, ", graph 0 to first ");
    add_num(gp, m->at);
    strbuf_addf(gp, ", graph 1 nohead dt 3 lw 2 lc rgb '%s' front\n", col);
    if (m->title) {
      strbuf_addf(gp, "set label %d ", id);
      esc_gnuplot(gp, m->title);
      strbuf_addstr(gp, " at first ");
      add_num(gp, m->at);
      strbuf_addf(gp, ", graph %.2f %s tc rgb '%s' front\n", 0.95 - 0.07 * (double)i,
                  left ? "right offset -0.5,0" : "offset 0.5,0", col);
    }
  }
  for (size_t i = 0; i < c->nhmarks; i++, id++) {
    const struct chart_mark *m = &c->hmarks[i];
    if (isnan(m->at))
      continue;
    const char *ax = m->y2 ? "second" : "first";
    strbuf_addf(gp, "set arrow %d from graph 0, %s ", id, ax);
    add_num(gp, m->at);
    strbuf_addf(gp, " to graph 1, %s ", ax);
    add_num(gp, m->at);
    strbuf_addstr(gp, " nohead dt 2 lw 2 lc rgb '#cc0000' front\n");
    if (m->title) {
      strbuf_addf(gp, "set label %d ", id);
      esc_gnuplot(gp, m->title);
      strbuf_addf(gp, " at graph %s, %s ", m->y2 ? "0.99" : "0.01", ax);
      add_num(gp, m->at);
      strbuf_addf(gp, " %s offset 0,0.7 tc rgb '#cc0000' front\n", m->y2 ? "right" : "left");
    }
  }
}

static void write_gp(const struct chart *c, const char *stem, struct strbuf *gp) {
  strbuf_addstr(gp, "# generated by loadrep; data in the .tsv beside this file\n");
  strbuf_addstr(gp, "# run again with: gnuplot ");
  strbuf_addstr(gp, stem);
  strbuf_addstr(gp, ".gp\n");
  strbuf_addstr(gp, "set encoding utf8\n");
  terminal(gp, stem, 1);
  strbuf_addstr(gp, "set datafile separator tab\nset datafile missing 'NaN'\n"
                    "set datafile commentschars ''\n");
  set_str(gp, "set title", c->title);
  set_str(gp, "set xlabel", c->xlabel);
  set_str(gp, "set ylabel", c->ylabel);
  strbuf_addstr(gp, "set grid ytics lc rgb '#dddddd'\nset border 3\nset tics nomirror\n");
  if (c->kind == CHART_LINES) /* the legend below the x-axis title, with room for both */
  {
    /* Room for the x-axis title and the legend's rows (about three short
     * or two long titles a row). */
    size_t chars = 0;
    for (size_t s = 0; s < c->nseries; s++)
      chars += strlen(c->series[s].title ? c->series[s].title : "") + 8;
    size_t rows = (chars + 119) / 120;
    strbuf_addf(gp, "set key outside below center horizontal noautotitle\nset bmargin %.1f\n",
                4.5 + (double)(rows ? rows : 1));
    if (!c->logy) /* no line on the top border (a log axis ends at the next decade anyway) */
      strbuf_addstr(gp, "set offsets 0, 0, graph 0.06, 0\n");
  }
  else
    strbuf_addstr(gp, "set key outside top center horizontal noautotitle\n");
  int any_y2 = 0;
  for (size_t s = 0; s < c->nseries; s++)
    any_y2 |= c->series[s].y2;
  if (any_y2) {
    set_str(gp, "set y2label", c->y2label);
    strbuf_addstr(gp, "set y2tics\nset border 11\n");
    /* Headroom above the right axis' largest value (a constant VU count
     * would sit on the border). */
    double y2max = 0;
    for (size_t r = 0; r < c->nrows; r++)
      for (size_t s = 0; s < c->nseries; s++)
        if (c->series[s].y2 && isfinite(c->y[r * c->nseries + s]) && c->y[r * c->nseries + s] > y2max)
          y2max = c->y[r * c->nseries + s];
    if (c->ymin_zero && y2max > 0) {
      strbuf_addstr(gp, "set y2range [0:");
      add_num(gp, y2max * 1.1);
      strbuf_addstr(gp, "]\n");
    } else if (c->ymin_zero) {
      strbuf_addstr(gp, "set y2range [0:*]\n");
    }
  }
  if (c->logx)
    strbuf_addstr(gp, "set logscale x 10\n");
  if (c->logy)
    strbuf_addstr(gp, "set logscale y 10\nset mytics 10\n");
  else if (c->ymin_zero)
    strbuf_addstr(gp, "set yrange [0:*]\n");
  if (!isnan(c->hline)) {
    strbuf_addstr(gp, "set arrow 1 from graph 0, first ");
    add_num(gp, c->hline);
    strbuf_addstr(gp, " to graph 1, first ");
    add_num(gp, c->hline);
    strbuf_addstr(gp, " nohead dt 2 lw 2 lc rgb '#cc0000' front\n");
    if (c->hline_title) {
      strbuf_addstr(gp, "set label 1 ");
      esc_gnuplot(gp, c->hline_title);
      strbuf_addstr(gp, " at graph 0.01, first ");
      add_num(gp, c->hline);
      strbuf_addstr(gp, " offset 0,0.7 tc rgb '#cc0000' front\n");
    }
  }
  if (!isnan(c->vline) && c->kind == CHART_LINES) {
    strbuf_addstr(gp, "set arrow 2 from first ");
    add_num(gp, c->vline);
    strbuf_addstr(gp, ", graph 0 to first ");
    add_num(gp, c->vline);
    strbuf_addstr(gp, ", graph 1 nohead dt 3 lw 2 lc rgb '#555555' front\n");
    if (c->vline_title) {
      strbuf_addstr(gp, "set label 2 ");
      esc_gnuplot(gp, c->vline_title);
      strbuf_addstr(gp, " at first ");
      add_num(gp, c->vline);
      strbuf_addstr(gp, ", graph 0.95 offset 0.5,0 tc rgb '#555555' front\n");
    }
  }
  marks(c, gp);
  struct strbuf data = STRBUF_INIT;
  strbuf_addf(&data, "%s.tsv", stem);
  if (c->kind == CHART_BARS) {
    strbuf_addstr(gp, "set style data histograms\nset style histogram clustered gap 1\n"
                      "set style fill solid 0.85 border -1\nset boxwidth 0.9\n"
                      "set xtics rotate by -25 left\n");
    if (!c->ymin_zero)
      strbuf_addstr(gp, "set yrange [0:*]\n");
  }
  strbuf_addstr(gp, "plot ");
  for (size_t s = 0; s < c->nseries; s++) {
    size_t col = s + (c->kind == CHART_BARS ? 3 : 2);
    if (s)
      strbuf_addstr(gp, ", \\\n     ");
    esc_gnuplot(gp, data.buf);
    const char *color = palette[s % NPALETTE];
    if (c->kind == CHART_BARS) {
      strbuf_addf(gp, " using %zu%s title columnhead(%zu) lc rgb '%s'", col,
                  s == 0 ? ":xtic(2)" : "", col, color);
    } else {
      static const char *const styles[] = {"lines lw 2", "points pt 7 ps 1.2",
                                           "linespoints lw 2 pt 7 ps 0.9", "lines lw 2 dt 2"};
      int st = c->series[s].style >= 0 && c->series[s].style < 4 ? c->series[s].style : 0;
      strbuf_addf(gp, " using 1:%zu with %s lc rgb '%s'%s title columnhead(%zu)", col, styles[st],
                  color, c->series[s].y2 ? " axes x1y2" : "", col);
    }
  }
  strbuf_addstr(gp, "\n");
  terminal(gp, stem, 0);
  strbuf_addstr(gp, "replot\nunset output\n");
  strbuf_release(&data);
}

int chart_write(const struct chart *c, const char *dir, struct err *err) {
  struct strbuf stem = STRBUF_INIT, gp = STRBUF_INIT, tsv = STRBUF_INIT, path = STRBUF_INIT;
  esc_filename(&stem, c->name);
  write_gp(c, stem.buf, &gp);
  write_tsv(c, &tsv);
  strbuf_addf(&path, "%s/%s.tsv", dir, stem.buf);
  int rc = outfile_write(path.buf, tsv.buf, tsv.len, err);
  if (rc == 0) {
    strbuf_reset(&path);
    strbuf_addf(&path, "%s/%s.gp", dir, stem.buf);
    rc = outfile_write(path.buf, gp.buf, gp.len, err);
  }
  strbuf_release(&stem);
  strbuf_release(&gp);
  strbuf_release(&tsv);
  strbuf_release(&path);
  return rc;
}

int chart_run(const char *gnuplot, const char *dir, const char *name, int timeout_ms,
              struct err *err) {
  struct strbuf stem = STRBUF_INIT, script = STRBUF_INIT;
  esc_filename(&stem, name);
  strbuf_addf(&script, "%s.gp", stem.buf);
  const char *argv[] = {gnuplot, script.buf, NULL};
  struct spawn_opts o = SPAWN_OPTS_INIT;
  o.argv = argv;
  o.cwd = dir;
  o.timeout_ms = timeout_ms;
  struct spawn_result r = SPAWN_RESULT_INIT;
  int rc = 0;
  const char *exts[] = {"png", "svg"};
  if (spawn_run(&o, &r) < 0) {
    if (r.not_found)
      rc = err_set(err, LR_UNAVAILABLE,
                   "cannot run '%s': not found (install gnuplot or use --charts never)", gnuplot);
    else
      rc = err_set(err, LR_UNAVAILABLE, "cannot run '%s': %s", gnuplot, strerror(errno));
  } else if (r.timed_out) {
    rc = err_set(err, LR_UNAVAILABLE, "gnuplot: %s.gp: timed out after %d ms", stem.buf,
                 timeout_ms);
  } else if (r.status != 0) {
    /* First lines of its stderr, on one line. */
    struct strbuf msg = STRBUF_INIT;
    if (r.err.len > 400)
      r.err.buf[400] = 0;
    esc_term(&msg, r.err.buf);
    if (r.err.len > 400)
      strbuf_addstr(&msg, "...");
    rc = err_set(err, LR_UNAVAILABLE, "gnuplot: %s.gp failed (exit %d): %s", stem.buf, r.status,
                 msg.buf);
    strbuf_release(&msg);
  } else {
    for (int i = 0; i < 2 && rc == 0; i++) {
      struct strbuf tmp = STRBUF_INIT, fin = STRBUF_INIT;
      strbuf_addf(&tmp, "%s/%s.%s.tmp", dir, stem.buf, exts[i]);
      strbuf_addf(&fin, "%s/%s.%s", dir, stem.buf, exts[i]);
      if (access(tmp.buf, F_OK) != 0)
        rc = err_set(err, LR_UNAVAILABLE, "gnuplot: %s.gp wrote no %s", stem.buf, exts[i]);
      else
        rc = outfile_commit(tmp.buf, fin.buf, err);
      strbuf_release(&tmp);
      strbuf_release(&fin);
    }
  }
  if (rc < 0) {
    for (int i = 0; i < 2; i++) {
      struct strbuf tmp = STRBUF_INIT;
      strbuf_addf(&tmp, "%s/%s.%s.tmp", dir, stem.buf, exts[i]);
      unlink(tmp.buf);
      strbuf_release(&tmp);
    }
  }
  spawn_result_release(&r);
  strbuf_release(&stem);
  strbuf_release(&script);
  return rc;
}
