// Charts of the portal, drawn with Apache ECharts (static/vendor/echarts.min.js, vendored from npm).
//
// A page puts <div class="portal-chart" data-chart="ID"></div> and {{ spec|json_script:"ID" }}; no inline
// script. The spec (built by the view, see dashboards/charts.py):
//   {kind: "bar" | "pie", title, categories: [...], horizontal: bool, stack: bool,
//    axes: [{name, format: "yuan" | "percent" | "count" | "hours" | "score"}],
//    series: [{name, type: "bar" | "line", axis: 0 | 1, data: [number | null], links: [url | null]}],
//    empty: "text shown when there is nothing to draw"}
// A click on a bar, point or slice opens its link (the matching list, already filtered).
(function () {
  "use strict";
  if (typeof echarts === "undefined") { return; }
  const lang = (document.documentElement.lang || "zh-hans").toLowerCase();
  const zh = lang.indexOf("zh") === 0;
  const locale = zh ? "ZH" : "EN";
  const numberLocale = zh ? "zh-CN" : "en-US";
  const compact = new Intl.NumberFormat(numberLocale, {notation: "compact", maximumFractionDigits: 1});
  const plain = new Intl.NumberFormat(numberLocale, {maximumFractionDigits: 2});
  const money = new Intl.NumberFormat(numberLocale, {minimumFractionDigits: 2, maximumFractionDigits: 2});
  const palette = ["#0b5394", "#6aa84f", "#e69138", "#a64d79", "#45818e", "#cc0000", "#674ea7", "#bf9000",
    "#3d85c6", "#93c47d"];

  function fmt(format, value, short) {
    if (value === null || value === undefined || value === "-") { return "—"; }
    switch (format) {
      case "yuan": return short ? compact.format(value) : "¥" + money.format(value);
      case "percent": return plain.format(value) + "%";
      default: return short ? compact.format(value) : plain.format(value);
    }
  }

  function build(spec, width) {
    const narrow = width < 420;
    const axes = spec.axes && spec.axes.length ? spec.axes : [{name: "", format: "count"}];
    const formatOf = (s) => (axes[s.axis || 0] || axes[0]).format;
    const option = {
      color: palette,
      animation: false,
      textStyle: {fontFamily: "system-ui, \"PingFang SC\", \"Microsoft YaHei\", \"Noto Sans CJK SC\", sans-serif"},
      toolbox: {
        right: 4, top: 0, itemSize: 14,
        feature: {
          dataView: {readOnly: true},
          saveAsImage: {name: spec.title || "chart", pixelRatio: 2},
        },
      },
      tooltip: {trigger: spec.kind === "pie" ? "item" : "axis", confine: true},
    };
    if (spec.kind === "pie") {
      const s = spec.series[0];
      option.legend = {type: "scroll", bottom: 0, left: "center"};
      option.tooltip.formatter = (p) => p.marker + p.name + "：" + fmt(formatOf(s), p.value) + "（" + p.percent + "%）";
      option.series = [{
        type: "pie", name: s.name, radius: narrow ? ["30%", "58%"] : ["35%", "65%"], center: ["50%", "46%"],
        avoidLabelOverlap: true, label: {show: !narrow, formatter: "{b}：{d}%"},
        data: spec.categories.map((c, i) => ({name: c, value: s.data[i], link: (s.links || [])[i] || null})),
      }];
      return option;
    }
    const visible = narrow ? 6 : 12;
    // Long series scroll (data zoom); a horizontal chart grows instead, one row per category.
    const many = !spec.horizontal && spec.categories.length > visible;
    const shown = Math.min(spec.categories.length, visible) || 1;
    const longest = Math.max.apply(null, spec.categories.map((c) => c.length).concat([1]));
    // Labels side by side need about 13 px a character: tilt them when they would not fit.
    const tilt = !spec.horizontal && (width - 90) / shown < longest * 13;
    const categoryAxis = {
      type: "category", data: spec.categories,
      axisLabel: {hideOverlap: true, interval: spec.horizontal ? "auto" : 0, rotate: tilt ? 35 : 0,
        width: spec.horizontal ? (narrow ? 84 : 150) : undefined, overflow: "truncate"},
      axisTick: {alignWithLabel: true}, inverse: !!spec.horizontal,
    };
    const valueAxes = axes.map((a, i) => ({
      // Only the first axis of an upright chart is named: a second name would sit under the toolbox, a lying chart's
      // would be cut at the right edge (the legend names the series).
      type: "value", name: narrow || i > 0 || spec.horizontal ? "" : a.name, position: i === 0 ? (spec.horizontal ? "bottom" : "left") :
        (spec.horizontal ? "top" : "right"),
      min: 0, max: a.format === "score" ? 5 : (a.format === "percent" && maxOf(spec, i) <= 100 ? 100 : null),
      minInterval: a.format === "count" ? 1 : undefined,  // counts are whole: no 0.2 ticks on a small series
      splitLine: {show: i === 0},
      axisLabel: {formatter: (v) => fmt(a.format, v, true), hideOverlap: true},
      nameTextStyle: {align: i === 0 ? "left" : "right"},
    }));
    option.legend = {type: "scroll", bottom: 0, left: "center"};
    option.grid = {left: 8, right: spec.horizontal ? 28 : 8, top: 44, bottom: many ? 58 : 30, containLabel: true};
    option.xAxis = spec.horizontal ? valueAxes : categoryAxis;
    option.yAxis = spec.horizontal ? categoryAxis : valueAxes;
    option.tooltip.formatter = function (params) {
      const rows = params.map((p) => {
        const s = spec.series[p.seriesIndex];
        return p.marker + p.seriesName + "：" + fmt(formatOf(s), p.value);
      });
      return [params.length ? params[0].axisValueLabel : ""].concat(rows).join("<br>");
    };
    option.series = spec.series.map((s) => {
      const out = {
        name: s.name, type: s.type || "bar", data: s.data, connectNulls: false,
        barMaxWidth: 36, emphasis: {focus: "series"},
      };
      if (spec.stack && (s.type || "bar") === "bar") { out.stack = "total"; }
      if (s.axis) { out[spec.horizontal ? "xAxisIndex" : "yAxisIndex"] = s.axis; }
      if (s.type === "line") { out.symbolSize = 7; }
      return out;
    });
    if (many) {
      // Long series: scroll and zoom instead of squeezing every label in.
      const idx = {type: "inside"};
      idx[spec.horizontal ? "yAxisIndex" : "xAxisIndex"] = 0;
      const slider = {type: "slider", height: 14, bottom: 28};
      slider[spec.horizontal ? "yAxisIndex" : "xAxisIndex"] = 0;
      // The window ends at the last category with a value (never an empty window), the latest ones first.
      let last = visible - 1;
      spec.series.forEach((s) => (s.data || []).forEach((v, i) => { if (v) { last = Math.max(last, i); } }));
      idx.startValue = slider.startValue = last - visible + 1;
      idx.endValue = slider.endValue = last;
      option.dataZoom = spec.horizontal ? [idx] : [idx, slider];
    }
    return option;
  }

  function maxOf(spec, axisIndex) {
    let max = 0;
    spec.series.forEach((s) => {
      if ((s.axis || 0) === axisIndex) { (s.data || []).forEach((v) => { if (v !== null && v > max) { max = v; } }); }
    });
    return max;
  }

  function linkOf(spec, params) {
    if (params.data && params.data.link) { return params.data.link; }
    const s = spec.series[params.seriesIndex];
    return s && s.links ? s.links[params.dataIndex] : null;
  }

  function hasData(spec) {
    return (spec.series || []).some((s) => (s.data || []).some((v) => v !== null && v !== 0));
  }

  function draw(el) {
    const source = document.getElementById(el.getAttribute("data-chart"));
    if (!source) { return; }
    const spec = JSON.parse(source.textContent);
    if (!hasData(spec)) {
      el.classList.add("portal-chart-empty");
      el.textContent = spec.empty || "";
      return;
    }
    if (spec.horizontal) { el.style.height = Math.max(240, spec.categories.length * 34 + 90) + "px"; }
    const chart = echarts.init(el, null, {locale: locale, renderer: "canvas"});
    chart.setOption(build(spec, el.clientWidth));
    chart.on("click", function (params) {
      const url = linkOf(spec, params);
      if (url) { window.location.href = url; }
    });
    el.setAttribute("data-chart-ready", "1");
    let last = el.clientWidth;
    window.addEventListener("resize", function () {
      chart.resize();
      if ((el.clientWidth < 420) !== (last < 420)) { chart.setOption(build(spec, el.clientWidth), true); }
      last = el.clientWidth;
    });
  }

  document.querySelectorAll(".portal-chart[data-chart]").forEach(draw);
})();
