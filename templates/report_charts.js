/* report_charts.js - draws the report's interactive charts with dygraphs,
 * inlined into the HTML by loadrep (src/render/report_html.c) after the
 * library and the chart data (a script element of type application/json,
 * id lr-chart-data). Every static chart image <img data-chart="STEM">
 * whose STEM has data gets a zoomable chart with series toggles beside it;
 * the image is hidden only once the chart has drawn, so a page without
 * JavaScript (or with a chart that fails) still shows the SVG.
 * Text from the data (titles, series names) is set with textContent or
 * escaped: it comes from input files. */
(function () {
  'use strict';
  var node = document.getElementById('lr-chart-data');
  if (!node || typeof Dygraph === 'undefined') return;
  var specs = JSON.parse(node.textContent);
  var colours = ['#1f6feb', '#d1242f', '#2da44e', '#bf8700', '#8250df', '#0a7f8c', '#cf222e', '#57606a',
                 '#fb8f44', '#6e7781', '#116329', '#953800'];

  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c];
    });
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  /* Series names must differ for dygraphs: a repeated one gets " (2)". */
  function uniqueLabels(labels) {
    var seen = {};
    return labels.map(function (l) {
      var k = String(l), n = 1;
      while (seen[k]) k = String(l) + ' (' + (++n) + ')';
      seen[k] = 1;
      return k;
    });
  }

  /* The reference lines: SLOs (horizontal) and markers (vertical), each
   * with its label; vertical labels are staggered so that close markers
   * do not write over each other. */
  function underlay(spec) {
    return function (ctx, area, g) {
      ctx.save();
      ctx.font = '11px sans-serif';
      ctx.setLineDash([6, 4]);
      (spec.hl || []).forEach(function (h) {
        var y = g.toDomYCoord(h.at, h.y2 ? 1 : 0);
        if (!(y >= area.y && y <= area.y + area.h)) return;
        ctx.strokeStyle = '#b3261e';
        ctx.beginPath(); ctx.moveTo(area.x, y); ctx.lineTo(area.x + area.w, y); ctx.stroke();
        ctx.fillStyle = '#b3261e';
        ctx.fillText(h.t, area.x + 4, y - 3);
      });
      var placed = [], xs = (spec.vl || []).map(function (v) { return g.toDomXCoord(v.at); });
      (spec.vl || []).forEach(function (v, k) {
        var x = xs[k];
        if (!(x >= area.x && x <= area.x + area.w)) return;
        ctx.strokeStyle = '#57606a';
        ctx.beginPath(); ctx.moveTo(x, area.y); ctx.lineTo(x, area.y + area.h); ctx.stroke();
        var w = ctx.measureText(v.t).width, row = 0;
        /* on the left of its line when the right side would cross another marker or the edge */
        var crowded = xs.some(function (o, j) { return j !== k && o > x && o - x < w + 8; });
        var lx = crowded || x + 3 + w > area.x + area.w ? x - 3 - w : x + 3;
        lx = Math.max(area.x + 2, Math.min(lx, area.x + area.w - w - 2)); /* never cut at the edges */
        while (placed.some(function (p) { return p.row === row && lx < p.x1 + 4 && lx + w > p.x0 - 4; })) row++;
        placed.push({row: row, x0: lx, x1: lx + w});
        ctx.fillStyle = '#24292f';
        ctx.fillText(v.t, lx, area.y + 12 + 13 * row);
      });
      ctx.restore();
    };
  }

  /* The colour of series i: its group's, when the spec groups series. */
  function colourOf(spec, i) {
    return colours[(spec.group ? spec.group[i] : i) % colours.length];
  }

  function options(spec, labels, fig) {
    var series = {};
    labels.slice(1).forEach(function (l, i) {
      var st = spec.style[i] || 0;
      /* A series' own values are joined across the rows of the others
       * (the rows are the union of every series' x); points-only series
       * are never joined. */
      series[l] = {axis: spec.y2[i] ? 'y2' : 'y', drawPoints: st === 1 || st === 2, pointSize: 2,
                   strokeWidth: st === 1 ? 0 : 1.4, strokePattern: st === 3 ? [6, 3] : st === 4 ? [2, 3] : null,
                   connectSeparatedPoints: st !== 1};
    });
    var o = {
      labels: labels, series: series, colors: labels.slice(1).map(function (l, i) { return colourOf(spec, i); }), xlabel: esc(spec.xlabel || ''), ylabel: esc(spec.ylabel || ''),
      y2label: esc(spec.y2label || ''), legend: 'follow', labelsSeparateLines: true, connectSeparatedPoints: false,
      includeZero: !!spec.zero, underlayCallback: underlay(spec), axes: {x: {}, y: {logscale: !!spec.logy}, y2: {}},
      visibility: labels.slice(1).map(function (l, i) { return !(spec.hidden && spec.hidden[i]); }),
      drawCallback: function (g) { fig.setAttribute('data-drawn', String(countDrawn(g))); }
    };
    if (fig.clientWidth < 560) { /* a phone: smaller axis text, more room for the plot */
      o.axisLabelFontSize = 11;
      o.xLabelHeight = 15;
      o.yLabelWidth = 15;
      o.axisLabelWidth = 40;
    }
    if (spec.logx) o.axes.x.logscale = true;
    if (spec.y2.some(function (b) { return b; }))
      o.axes.y2 = {independentTicks: true, includeZero: true, logscale: false};
    if (spec.xmax > 0) o.dateWindow = [spec.time ? 0 : spec.rows[0][0], spec.xmax];
    return o;
  }

  /* The values drawn in the visible series. */
  function countDrawn(g) {
    var n = 0, vis = g.visibility();
    for (var r = 0; r < g.numRows(); r++)
      for (var c = 1; c < g.numColumns(); c++)
        if (vis[c - 1] && g.getValue(r, c) !== null && !isNaN(g.getValue(r, c))) n++;
    return n;
  }

  function toggles(g, spec, labels, box) {
    labels.slice(1).forEach(function (l, i) {
      var lab = el('label', 'lr-toggle'), cb = el('input');
      cb.type = 'checkbox';
      cb.checked = g.visibility()[i];
      cb.addEventListener('change', function () { g.setVisibility(i, cb.checked); });
      var sw = el('span', 'lr-swatch');
      sw.style.background = colourOf(spec, i);
      lab.appendChild(cb); lab.appendChild(sw); lab.appendChild(document.createTextNode(l));
      box.appendChild(lab);
    });
  }

  function draw(img, spec) {
    var fig = el('div', 'lr-chart');
    fig.setAttribute('data-chart', img.getAttribute('data-chart'));
    fig.appendChild(el('div', 'lr-title', spec.title || ''));
    var plot = el('div', 'lr-plot');
    fig.appendChild(plot);
    var box = el('div', 'lr-toggles');
    fig.appendChild(box);
    fig.appendChild(el('div', 'lr-help', 'Drag across the chart to zoom in, double-click to zoom out; ' +
                       'untick a series to hide it.' + (spec.note ? ' ' + spec.note : '')));
    img.parentNode.insertBefore(fig, img);
    var labels = uniqueLabels(spec.labels), g;
    try {
      g = new Dygraph(plot, spec.rows, options(spec, labels, fig));
      toggles(g, spec, labels, box);
    } catch (e) {
      fig.parentNode.removeChild(fig); /* the static image stays alone */
      throw e;
    }
    img.style.display = 'none';
    img.setAttribute('data-replaced', 'true');
    return g;
  }

  var drawn = 0, failed = 0;
  Array.prototype.forEach.call(document.querySelectorAll('img[data-chart]'), function (img) {
    var spec = specs[img.getAttribute('data-chart')];
    if (!spec || !spec.rows || !spec.rows.length) return;
    try {
      draw(img, spec);
      drawn++;
    } catch (e) {
      failed++;
      img.style.display = '';
      console.error('loadrep: chart ' + img.getAttribute('data-chart') + ' not drawn: ' + e);
    }
  });
  document.body.setAttribute('data-charts-drawn', String(drawn));
  document.body.setAttribute('data-charts-failed', String(failed));
})();
