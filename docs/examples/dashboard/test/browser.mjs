// Opens every page of the built KAM review in headless Chromium (Debian's /usr/bin/chromium
// driven by playwright-core, every request off the dashboard's own server refused), and for
// each page checks: no error shown or thrown, every chart drawn (an SVG with marks), each
// headline number equal to the same query run by psql against the same database, and saves a
// screenshot.  Run by test/dashboard/run.sh; BASE_URL, SHOTS (screenshot directory) and the
// PG* environment come from it.
import {execFileSync} from "node:child_process";
import fs from "node:fs";
import {chromium} from "playwright-core";

const base = process.env.BASE_URL;
const shots = process.env.SHOTS;
const queries = new URL("../src/queries/", import.meta.url);

// kam's own answer: the query file through psql, CSV with a header
function sql(name) {
  const out = execFileSync("psql", ["-X", "-q", "--csv", "-v", "ON_ERROR_STOP=1", "-f", new URL(`${name}.sql`, queries).pathname],
                           {encoding: "utf8"});
  const lines = parseCsv(out);
  const header = lines.shift();
  return lines.map((l) => Object.fromEntries(header.map((h, i) => [h, l[i]])));
}
function parseCsv(text) {
  const rows = []; let row = []; let field = ""; let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") { row.push(field); field = ""; }
    else if (c === "\n") { row.push(field); rows.push(row); row = []; field = ""; }
    else field += c;
  }
  if (field !== "" || row.length) { row.push(field); rows.push(row); }
  return rows;
}
const n = (v) => (v === "" || v == null ? null : Number(v));
const count = (rows, f) => rows.filter(f).length;

// page -> the numbers it must show, each computed from psql's rows
const pages = {
  index: () => { const r = sql("retention_trend").at(-1);
    return {nrr: n(r.nrr), grr: n(r.grr), logo_churn: n(r.logo_churn), accounts: n(r.accounts)}; },
  managers: () => { const m = sql("managers"); const t = sql("teams");
    return Object.fromEntries([...t.map((r) => [`team-nrr:${r.team}`, n(r.nrr)]), ...m.map((r) => [`nrr:${r.manager}`, n(r.nrr)])]); },
  waterfall: () => { const r = sql("waterfall").at(-1);
    return {ending_mrr: n(r.ending_mrr), new_mrr: n(r.new_mrr), churned_mrr: n(r.churned_mrr)}; },
  cohorts: () => { const c = sql("cohorts"); const first = c.filter((r) => r.cohort === c[0].cohort);
    return {cohorts: new Set(c.map((r) => r.cohort)).size, first_cohort_accounts: n(first[0].accounts),
            first_cohort_m12: n(first.find((r) => r.months_since === "12")?.revenue_retention)}; },
  "key-accounts": () => { const a = sql("key_accounts"); const out = {};
    for (const q of new Set(a.map((r) => r.quadrant))) out[`quadrant:${q}`] = count(a, (r) => r.quadrant === q);
    for (const c of ["A", "B", "C"]) out[`abc:${c}`] = count(a, (r) => r.abc === c);
    return out; },
  health: () => { const h = sql("health"); const out = {};
    for (const g of new Set(h.map((r) => r.grade))) out[`grade:${g}`] = count(h, (r) => r.grade === g);
    return out; },
  renewals: () => { const d = sql("renewals_due"); const open = d.filter((r) => r.status !== "renewed");
    return {terms_due: d.length, open_terms: open.length, arr_at_stake: open.reduce((s, r) => s + n(r.arr_at_stake), 0)}; }
};

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-dev-shm-usage", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-default-apps", "--disable-sync", "--disable-domain-reliability",
         "--disable-client-side-phishing-detection", "--metrics-recording-only", "--no-pings", "--disable-features=MediaRouter,OptimizationHints,Translate"]
});
const context = await browser.newContext({viewport: {width: 1280, height: 900}});
const outside = [];
await context.route("**/*", (route) => {
  const url = route.request().url();
  if (url.startsWith(base)) return route.continue();
  outside.push(url);
  return route.abort();
});
// the numbers a page shows, against what psql says
async function shownNumbers(p, want) {
  await p.waitForFunction((keys) => keys.every((k) => document.querySelector(`[data-kam="${CSS.escape(k)}"]`)),
                          Object.keys(want), {timeout: 20000}).catch(() => {});
  return p.evaluate(() => Object.fromEntries([...document.querySelectorAll("[data-kam]")]
    .map((e) => [e.dataset.kam, e.dataset.value])));
}
function differences(want, shown) {
  const bad = [];
  for (const [k, v] of Object.entries(want)) {
    const got = shown[k] === undefined ? undefined : shown[k] === "null" ? null : Number(shown[k]);
    const ok = v === null ? got === null : got !== undefined && got !== null && Math.abs(got - v) <= 1e-9 * Math.max(1, Math.abs(v));
    if (!ok) bad.push(`${k}: shown ${shown[k]}, kam's SQL ${v}`);
  }
  return bad;
}

let failed = 0, checked = 0, controlFailed = false;
for (const [page, expect] of Object.entries(pages)) {
  const p = await context.newPage();
  const errors = [];
  p.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
  p.on("console", (m) => { if (m.type() === "error") errors.push(`console error: ${m.text()}`); });
  p.on("requestfailed", (r) => { if (r.url().startsWith(base)) errors.push(`request failed: ${r.url()}`); });
  const t0 = Date.now();
  await p.goto(`${base}/${page}.html`, {waitUntil: "networkidle"});
  const want = expect();
  const shown = await shownNumbers(p, want);
  const errorCells = await p.locator(".observablehq--error").allTextContents();
  // charts: SVGs drawn by Plot with at least one mark in them
  const charts = await p.evaluate(() => [...document.querySelectorAll("main svg, #observablehq-main svg")]
    .filter((s) => s.querySelector("[aria-label$='line'], [aria-label='bar'], [aria-label='rect'], [aria-label='cell'], [aria-label='dot'], [aria-label='area'], path, rect, circle"))
    .filter((s) => s.getBoundingClientRect().width > 0).length);
  checked += Object.keys(want).length;
  const bad = differences(want, shown);
  if (charts === 0) bad.push("no chart drawn");
  bad.push(...errors, ...errorCells.map((t) => `error shown: ${t}`));
  fs.mkdirSync(shots, {recursive: true});
  await p.screenshot({path: `${shots}/${page}.png`, fullPage: true});
  console.log(`dashboard: ${page}: ${Object.keys(want).length} numbers equal to kam's SQL` +
              `${bad.length ? " except " + bad.length : ""}, ${charts} charts drawn, ${Date.now() - t0} ms`);
  for (const b of bad) console.log(`  FAILED ${b}`);
  if (bad.length) failed++;
  await p.close();
}
// positive control: the company page served with its NRR of the last month raised by 0.001
// must be caught as differing from kam's SQL
{
  const p = await context.newPage();
  await p.route(/\/_file\/data\/retention_trend\.[0-9a-f]+\.json$/, async (route) => {
    const rows = await (await route.fetch()).json();
    rows[rows.length - 1].nrr += 0.001;
    await route.fulfill({json: rows});
  });
  await p.goto(`${base}/index.html`, {waitUntil: "networkidle"});
  const want = pages.index();
  const caught = differences(want, await shownNumbers(p, want));
  console.log(`dashboard: positive control (the NRR served 0.001 higher): ${caught.length ? "caught: " + caught[0] : "NOT caught"}`);
  if (caught.length !== 1) controlFailed = true;
  await p.close();
}
await browser.close();
if (outside.length) console.log(`dashboard: requests off the dashboard's server refused: ${[...new Set(outside)].join(", ")}`);
console.log(`dashboard: ${Object.keys(pages).length - failed} of ${Object.keys(pages).length} pages passed, ${checked} numbers checked`);
process.exit(failed || controlFailed ? 1 : 0);
