/* global uPlot, window, document, requestAnimationFrame, performance, console */
// Runs in the report page: draws the ChartSpecs embedded as JSON (lab/report/html/chart-spec.ts) with the
// inlined uPlot. Plain ES2017 browser script, no imports: the page must open offline from a file.
(function () {
  'use strict';
  var HEIGHT = 250;
  var BAND_FILL = 'rgba(198, 40, 40, 0.10)';
  var BAND_TEXT = '#8E1B1B';
  var MARKER = '#6A3D9A';
  var TIME_INCRS = [
    1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400,
  ];
  var COUNT_INCRS = [];
  for (var e = 0; e <= 8; e++) {
    [1, 2, 5].forEach(function (m) {
      COUNT_INCRS.push(m * Math.pow(10, e));
    });
  }

  function clock(seconds) {
    var s = Math.max(0, Math.round(seconds));
    var h = Math.floor(s / 3600);
    var m = Math.floor((s % 3600) / 60);
    var pad = function (n) {
      return String(n).padStart(2, '0');
    };
    return (h > 0 ? h + ':' + pad(m) : pad(m)) + ':' + pad(s % 60);
  }

  function formatValue(spec, v) {
    if (v == null) return '–';
    if (spec.format === 'percent') return (v * 100).toFixed(1) + '%';
    return Number.isInteger(v) ? String(v) : v.toFixed(1);
  }

  function yRange(spec) {
    return function (u, dataMin, dataMax) {
      var min = spec.yMin != null ? spec.yMin : dataMin;
      if (spec.yMax != null) return [min, spec.yMax];
      var top = dataMax == null || dataMax <= min ? min + 1 : dataMax;
      return uPlot.rangeNum(min, top, 0.08, true);
    };
  }

  // Labels sit on a pale box so that lines crossing them do not hide them.
  function drawLabel(ctx, text, x, y, color, px) {
    var w = ctx.measureText(text).width;
    ctx.fillStyle = 'rgba(255, 255, 255, 0.85)';
    ctx.fillRect(x - 2 * px, y - 1 * px, w + 4 * px, 13 * px);
    ctx.fillStyle = color;
    ctx.fillText(text, x, y);
  }

  // Faults are shaded under the lines; their labels and the mode markers are drawn over them.
  function marksPlugin(spec) {
    var px = uPlot.pxRatio;
    function xPos(u, s) {
      return Math.round(u.valToPos(s, 'x', true));
    }
    return {
      hooks: {
        drawClear: [
          function (u) {
            var ctx = u.ctx;
            var b = u.bbox;
            ctx.save();
            ctx.fillStyle = BAND_FILL;
            spec.bands.forEach(function (band) {
              var x0 = Math.max(b.left, xPos(u, band.fromS));
              var x1 = Math.min(b.left + b.width, xPos(u, band.toS));
              if (x1 > x0) ctx.fillRect(x0, b.top, x1 - x0, b.height);
            });
            ctx.restore();
          },
        ],
        draw: [
          function (u) {
            var ctx = u.ctx;
            var b = u.bbox;
            ctx.save();
            ctx.font = 11 * px + 'px system-ui, sans-serif';
            // uPlot leaves its axis text alignment on the context.
            ctx.textAlign = 'left';
            ctx.textBaseline = 'top';
            spec.bands.forEach(function (band, i) {
              var x0 = Math.max(b.left, xPos(u, band.fromS));
              drawLabel(ctx, band.label, x0 + 4 * px, b.top + (4 + (i % 3) * 13) * px, BAND_TEXT, px);
            });
            spec.markers.forEach(function (m, i) {
              var x = xPos(u, m.atS);
              if (x < b.left || x > b.left + b.width) return;
              var color = m.color || MARKER;
              ctx.strokeStyle = color;
              ctx.lineWidth = 1.5 * px;
              ctx.setLineDash([5 * px, 4 * px]);
              ctx.beginPath();
              ctx.moveTo(x, b.top);
              ctx.lineTo(x, b.top + b.height);
              ctx.stroke();
              ctx.setLineDash([]);
              var w = ctx.measureText(m.label).width;
              // Near the right edge the label goes left of its line.
              var lx = x + 4 * px + w > b.left + b.width ? x - 4 * px - w : x + 4 * px;
              drawLabel(ctx, m.label, lx, b.top + b.height - (16 + (i % 3) * 13) * px, color, px);
            });
            ctx.restore();
          },
        ],
      },
    };
  }

  function options(spec, width, sync) {
    var stepped = uPlot.paths.stepped({ align: 1 });
    var series = [{ label: 'time', value: (u, v) => (v == null ? '–' : clock(v)) }];
    spec.series.forEach(function (s) {
      series.push({
        label: s.label,
        stroke: s.color,
        width: s.width || 1.5,
        dash: s.dash ? [6, 4] : undefined,
        paths: s.stepped ? stepped : undefined,
        // A few bins get dots, so that a lone bin between gaps stays visible; many would clutter the line.
        points: { show: s.stepped && spec.x.length <= 25 },
        spanGaps: false,
        value: function (u, v) {
          return formatValue(spec, v);
        },
      });
    });
    return {
      width: width,
      height: HEIGHT,
      series: series,
      scales: {
        x: { time: false, range: [0, spec.xMax] },
        y: { range: yRange(spec) },
      },
      axes: [
        {
          // Ticks on whole seconds, minutes and hours of scenario time.
          incrs: TIME_INCRS,
          values: function (u, splits) {
            return splits.map(clock);
          },
        },
        {
          size: 56,
          // Counts take whole-number ticks; shares keep uPlot's own.
          incrs: spec.format === 'percent' ? undefined : COUNT_INCRS,
          values: function (u, splits) {
            return splits.map(function (v) {
              return spec.format === 'percent' ? Math.round(v * 100) + '%' : String(v);
            });
          },
        },
      ],
      cursor: { sync: { key: sync.key } },
      legend: { live: true },
      plugins: [marksPlugin(spec)],
    };
  }

  function draw() {
    var started = performance.now();
    var specs = JSON.parse(document.getElementById('stormlab-charts').textContent);
    var sync = uPlot.sync('stormlab');
    var plots = [];
    specs.forEach(function (spec, i) {
      var el = document.querySelector('[data-chart="' + i + '"]');
      var data = [spec.x].concat(
        spec.series.map(function (s) {
          return s.values;
        }),
      );
      plots.push({ el: el, plot: new uPlot(options(spec, el.clientWidth, sync), data, el) });
    });
    function fit() {
      plots.forEach(function (p) {
        if (p.plot.width !== p.el.clientWidth) p.plot.setSize({ width: p.el.clientWidth, height: HEIGHT });
      });
    }
    // The window, and the paper when printing: a chart always fits the width it is given.
    window.addEventListener('resize', fit);
    window.addEventListener('beforeprint', fit);
    window.addEventListener('afterprint', fit);
    // uPlot commits its first draw in a microtask; the next frame has every canvas painted.
    requestAnimationFrame(function () {
      document.documentElement.setAttribute('data-charts-drawn', String(plots.length));
      document.documentElement.setAttribute('data-render-ms', String(Math.round(performance.now())));
      document.documentElement.setAttribute('data-draw-ms', String(Math.round(performance.now() - started)));
    });
  }

  try {
    draw();
  } catch (err) {
    console.error('stormlab: charts failed to draw: ' + (err && err.stack ? err.stack : err));
  }
})();
