// Charts drawn as SVG by hand: stacked bars, horizontal bars and day
// timelines. A charting library (uPlot, Chart.js) would be 50–200 KB to
// vendor and check for the three shapes the pages need, and would draw on a
// canvas that screen readers can't read; these are a few dozen lines each,
// scale with the page (a viewBox), and every chart carries its numbers as a
// table, which is its text alternative and what the tests read back.
import { h, duration } from "../ui.js";

const svgNS = "http://www.w3.org/2000/svg";

// s builds an SVG element the way h builds an HTML one.
function s(tag, attrs, ...children) {
  const el = document.createElementNS(svgNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== null && v !== undefined && v !== false) el.setAttribute(k, v);
  }
  for (const c of children.flat(Infinity)) {
    if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

// styled sets inline styles through the CSSOM: the Content-Security-Policy
// refuses style attributes, not style properties set from a script.
export function styled(el, props) {
  Object.assign(el.style, props);
  return el;
}

// colour i of the series palette (distinct for the colour-blind, after Okabe and Ito).
function colour(i) {
  const palette = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#7f7f7f"];
  return palette[i % palette.length];
}

// step picks a tick spacing that gives at most about five gridlines up to max.
function step(max, percent) {
  const steps = percent ? [10, 20, 25, 50] : [0.25, 0.5, 1, 2, 4, 6, 8, 12, 24, 48, 100, 200, 500, 1000];
  return steps.find((x) => max / x <= 5) || steps[steps.length - 1];
}

// fmt is a value as its chart shows it: hours as h:mm, or a whole percent.
function fmt(v, percent) {
  return percent ? `${Math.round(v)}%` : duration(Math.round(v * 3600));
}

// figure wraps a chart with its caption, legend and numbers table.
function figure(id, title, svg, legend, table) {
  const caption = h("figcaption", { id: `${id}-title` }, title);
  svg.setAttribute("aria-labelledby", `${id}-title`);
  return h("figure", { class: "chart", id },
    caption,
    h("div", { class: "scroll" }, svg),
    legend,
    h("details", { class: "chart-data" }, h("summary", {}, "The numbers"), table));
}

function legendOf(names) {
  if (names.length < 2) return null;
  return h("ul", { class: "legend" }, names.map((n, i) =>
    h("li", {}, styled(h("span", { class: "swatch" }), { background: colour(i) }), n)));
}

// stackedBars draws one bar per label, stacked by series. Values are hours
// (or percents with percent: true); labels are the x axis (days, members…).
// The table lists every value and each bar's total.
export function stackedBars({ id, title, labels, series, percent = false }) {
  const totals = labels.map((_, i) => series.reduce((n, sr) => n + (sr.values[i] || 0), 0));
  const top = percent ? 100 : Math.max(1, ...totals);
  const tick = step(top, percent);
  const max = Math.max(tick, Math.ceil(top / tick) * tick);
  const left = 48, bottom = 28, height = 180, barW = 32, gap = 16;
  const width = left + labels.length * (barW + gap) + gap;
  const y = (v) => 8 + height - (v / max) * height;
  const grid = [];
  for (let v = 0; v <= max + 1e-9; v += tick) {
    grid.push(s("line", { x1: left, x2: width, y1: y(v), y2: y(v), class: "grid" }),
      s("text", { x: left - 6, y: y(v) + 4, "text-anchor": "end" }, fmt(v, percent)));
  }
  const bars = labels.map((label, i) => {
    const x = left + gap + i * (barW + gap);
    let base = 0;
    const parts = series.map((sr, k) => {
      const v = sr.values[i] || 0;
      if (!v) return null;
      const r = s("rect", { x, width: barW, y: y(base + v), height: y(base) - y(base + v), fill: colour(k) },
        s("title", {}, `${label} · ${sr.name}: ${fmt(v, percent)}`));
      base += v;
      return r;
    });
    return s("g", {}, parts, s("text", { x: x + barW / 2, y: 8 + height + 18, "text-anchor": "middle" }, label));
  });
  const svg = styled(s("svg", { viewBox: `0 0 ${width} ${height + bottom + 8}`, role: "img" }, grid, bars),
    { minWidth: `${Math.min(width, 40 + labels.length * 30)}px`, maxWidth: `${width * 1.5}px` });
  const table = h("table", {},
    h("thead", {}, h("tr", {}, h("th", {}, ""), series.length > 1 ? series.map((sr) => h("th", { class: "num" }, sr.name)) : null, h("th", { class: "num" }, percent ? "%" : "Total"))),
    h("tbody", {}, labels.map((label, i) => h("tr", {}, h("th", {}, label),
      series.length > 1 ? series.map((sr) => h("td", { class: "num" }, sr.values[i] ? fmt(sr.values[i], percent) : "")) : null,
      h("td", { class: "num", "data-value": totals[i] }, fmt(totals[i], percent))))));
  return figure(id, title, svg, legendOf(series.map((sr) => sr.name)), table);
}

// hbars draws one horizontal bar per row, longest first as given: rows are
// {name, seconds}. For top apps and sites, whose names are too long to sit
// under a vertical bar.
export function hbars({ id, title, rows }) {
  const max = Math.max(1, ...rows.map((r) => r.seconds));
  const list = h("ol", { class: "hbars" }, rows.map((r) =>
    h("li", {}, h("span", { class: "name" }, r.name),
      h("span", { class: "track", "aria-hidden": "true" }, styled(h("span", { class: "fill" }), { width: `${(100 * r.seconds) / max}%` })),
      h("span", { class: "num", "data-seconds": r.seconds }, duration(r.seconds)))));
  // The list is its own text: names and times are written out.
  return h("figure", { class: "chart", id }, h("figcaption", {}, title), list);
}

// timelines draws a member's day per row across 24 hours: each 10-minute
// slot split into the seconds with input (worked), without (idle), and
// manual time. rows are {name, slots: [{start (ms), tracked, active, manual}]};
// dayStart is the day's first instant (ms). Each row is its own strip, so a
// name stays beside its day at any width.
export function timelines({ id, title, rows, dayStart, slotMs = 600000 }) {
  const width = 1440; // a unit a minute
  const x = (t) => ((t - dayStart) / 86400000) * width;
  const kinds = { worked: "#1a7f37", idle: "#f0b429", manual: "#7b61ff" };
  const strip = (row) => s("svg", { viewBox: `0 0 ${width} 10`, preserveAspectRatio: "none", "aria-hidden": "true" },
    [3, 6, 9, 12, 15, 18, 21].map((hr) => s("line", { x1: hr * 60, x2: hr * 60, y1: 0, y2: 10, class: "grid" })),
    row.slots.flatMap((sl) => {
      const x0 = x(sl.start), w = (slotMs / 86400000) * width;
      if (sl.manual) return [s("rect", { x: x0, y: 0, width: w, height: 10, fill: kinds.manual, class: "manual" })];
      const worked = sl.tracked ? (w * sl.active) / sl.tracked : 0;
      return [s("rect", { x: x0, y: 0, width: worked, height: 10, fill: kinds.worked, class: "worked" }),
        s("rect", { x: x0 + worked, y: 0, width: w - worked, height: 10, fill: kinds.idle, class: "idle" })];
    }));
  const axis = h("li", { class: "axis", "aria-hidden": "true" }, h("span", {}),
    h("span", { class: "hours" }, [0, 6, 12, 18, 24].map((hr) => h("span", {}, `${String(hr).padStart(2, "0")}:00`))));
  const lanes = h("ol", { class: "lanes", role: "img", "aria-labelledby": `${id}-title` },
    rows.map((r) => h("li", {}, h("span", { class: "name" }, r.name), strip(r))), axis);
  const sum = (r, f) => r.slots.reduce((n, sl) => n + f(sl), 0);
  const table = h("table", {},
    h("thead", {}, h("tr", {}, ["Member", "Worked", "Idle", "Manual"].map((c, i) => h("th", { class: i ? "num" : null }, c)))),
    h("tbody", {}, rows.map((r) => h("tr", {}, h("th", {}, r.name),
      h("td", { class: "num" }, duration(sum(r, (sl) => (sl.manual ? 0 : sl.active)))),
      h("td", { class: "num" }, duration(sum(r, (sl) => (sl.manual ? 0 : sl.tracked - sl.active)))),
      h("td", { class: "num" }, duration(sum(r, (sl) => (sl.manual ? sl.tracked : 0))))))));
  const legend = h("ul", { class: "legend" }, Object.entries(kinds).map(([k, c]) =>
    h("li", {}, styled(h("span", { class: "swatch" }), { background: c }), k[0].toUpperCase() + k.slice(1))));
  return h("figure", { class: "chart", id }, h("figcaption", { id: `${id}-title` }, title), lanes, legend,
    h("details", { class: "chart-data" }, h("summary", {}, "The numbers"), table));
}
