// Shared pieces of the KAM review pages: headline numbers (each carries its exact value in
// data-value, which test/dashboard checks against kam's SQL), plain tables and sparklines.
import * as Plot from "@observablehq/plot";

export const pct = (v) => (v == null ? "–" : `${(100 * v).toFixed(1)} %`);
export const money = (v) => (v == null ? "–" : Math.round(v).toLocaleString("en-US"));
export const num = (v) => (v == null ? "–" : Number.isInteger(v) ? String(v) : v.toFixed(1));

// a headline number: <div class="kam-kpi" data-kam=KEY data-value=VALUE>
export function kpi(key, label, value, format = num) {
  const div = document.createElement("div");
  div.className = "kam-kpi card";
  div.dataset.kam = key;
  div.dataset.value = String(value);
  const h = document.createElement("h2");
  h.textContent = label;
  const b = document.createElement("span");
  b.className = "big";
  b.textContent = format(value);
  div.append(h, b);
  return div;
}

// a row of headline numbers
export function kpis(...cards) {
  const div = document.createElement("div");
  div.className = "grid grid-cols-4";
  div.append(...cards);
  return div;
}

// a table of rows; columns: [{key, label, format?, render?}]
export function table(rows, columns) {
  const t = document.createElement("table");
  t.className = "kam-table";
  const head = t.createTHead().insertRow();
  for (const c of columns) {
    const th = document.createElement("th");
    th.textContent = c.label ?? c.key;
    head.append(th);
  }
  const body = t.createTBody();
  for (const r of rows) {
    const tr = body.insertRow();
    for (const c of columns) {
      const td = tr.insertCell();
      if (c.render) td.append(c.render(r[c.key], r));
      else td.textContent = (c.format ?? String)(r[c.key]);
    }
  }
  return t;
}

// a sparkline of a series of numbers
export function sparkline(values, color = "steelblue") {
  return Plot.plot({
    width: 120, height: 24, margin: 2, axis: null,
    marks: [Plot.lineY(values, {stroke: color})]
  });
}
