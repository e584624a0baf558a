// The patient's vitals: log one (the Api's errors at their fields), list by type with keyset paging, insights and a trend chart.
import { call, type Schemas } from "../api/client";
import { formatDateTime, t } from "../i18n";
import { field, h } from "../ui";
import { formError, localNow, status, submitter, withOffset } from "./health";

type Insights = Schemas["HealthInsights"];
type Vital = { id: string; type: string; value?: number; unit?: string; systolic?: number; diastolic?: number; recordedAt: string; note?: string | null };
type Page = { items: Vital[]; nextCursor: string | null };

export const vitalTypes = ["blood-pressure", "heart-rate", "glucose", "temperature", "spo2", "weight", "respiratory-rate"] as const;
const units: Record<string, string> = { "heart-rate": "bpm", temperature: "°C", spo2: "%", weight: "kg", "respiratory-rate": "/min" };
// Insights report glucose in mg/dL whatever unit a reading was logged in; the chart does the same so the band fits.
const mgPerMmol = 18.016;

const typeLabel = (type: string) => t(`vital_${type.replace(/-/g, "_")}` as Parameters<typeof t>[0]) ?? type;

function reading(v: Vital): string {
  if (v.type === "blood-pressure") return `${v.systolic}/${v.diastolic} mmHg`;
  return `${v.value} ${v.unit ?? units[v.type] ?? ""}`.trim();
}

function chartValue(v: Vital): number[] {
  if (v.type === "blood-pressure") return [Number(v.systolic), Number(v.diastolic)];
  const value = Number(v.value);
  return [v.type === "glucose" && v.unit === "mmol/L" ? value * mgPerMmol : value];
}

const svgNs = "http://www.w3.org/2000/svg";
function svg(tag: string, attrs: Record<string, string | number>) {
  const el = document.createElementNS(svgNs, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

/**
 * A hand-drawn SVG line chart: presentation attributes only, no style attributes and no eval, so it runs under the
 * Api's CSP without a library. The normal range from the insights is the shaded band.
 */
export function trendChart(points: Vital[], from: Date, to: Date, band: { low: number | null; high: number | null }, title: string): Element {
  const width = 600, height = 220, pad = 36;
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", class: "chart", "aria-labelledby": "chart-title chart-desc" });
  const titleEl = svg("title", { id: "chart-title" });
  titleEl.textContent = title;
  const desc = svg("desc", { id: "chart-desc" });
  desc.textContent = points.length
    ? points.map((p) => `${formatDateTime(p.recordedAt)}: ${reading(p)}`).join("; ")
    : t("chart_empty");
  chart.append(titleEl, desc);
  const values = points.flatMap(chartValue).concat([band.low, band.high].filter((x): x is number => x !== null));
  if (!values.length) return chart;
  let min = Math.min(...values), max = Math.max(...values);
  if (min === max) { min -= 1; max += 1; }
  const span = to.getTime() - from.getTime() || 1;
  const x = (iso: string) => pad + ((new Date(iso).getTime() - from.getTime()) / span) * (width - 2 * pad);
  const y = (v: number) => height - pad - ((v - min) / (max - min)) * (height - 2 * pad);
  chart.append(svg("line", { x1: pad, y1: height - pad, x2: width - pad, y2: height - pad, stroke: "#57606a" }));
  chart.append(svg("line", { x1: pad, y1: pad, x2: pad, y2: height - pad, stroke: "#57606a" }));
  if (band.low !== null && band.high !== null) {
    chart.append(svg("rect", { x: pad, y: y(band.high), width: width - 2 * pad, height: Math.max(0, y(band.low) - y(band.high)), fill: "#dafbe1", class: "band" }));
  }
  for (const v of [min, max]) {
    const label = svg("text", { x: 2, y: y(v) + 4, "font-size": 11, fill: "#1b1f24" });
    label.textContent = String(Math.round(v));
    chart.append(label);
  }
  const sorted = [...points].sort((a, b) => a.recordedAt.localeCompare(b.recordedAt));
  const series = sorted.length ? chartValue(sorted[0]).length : 0;
  const colours = ["#0b5cad", "#b00020"];
  for (let s = 0; s < series; s++) {
    const coords = sorted.map((p) => `${x(p.recordedAt).toFixed(1)},${y(chartValue(p)[s]).toFixed(1)}`);
    chart.append(svg("polyline", { points: coords.join(" "), fill: "none", stroke: colours[s], "stroke-width": 2 }));
    for (const c of coords) {
      const [cx, cy] = c.split(",");
      chart.append(svg("circle", { cx, cy, r: 4, fill: colours[s], class: "point" }));
    }
  }
  return chart;
}

function vitalForm(onSaved: (v: Vital) => void): HTMLElement {
  const type = h("select", {}, ...vitalTypes.map((v) => h("option", { value: v }, typeLabel(v))));
  const num = () => h("input", { type: "number", step: "any", inputmode: "decimal" });
  const c = { systolic: num(), diastolic: num(), value: num() };
  const unit = h("select", {}, h("option", { value: "mg/dL" }, "mg/dL"), h("option", { value: "mmol/L" }, "mmol/L"));
  const when = h("input", { type: "datetime-local", value: localNow() });
  const note = h("input", { type: "text", maxlength: "1000" });
  const fields = {
    systolic: field("systolic", t("systolic"), c.systolic), diastolic: field("diastolic", t("diastolic"), c.diastolic),
    value: field("value", t("vital_value"), c.value), unit: field("unit", t("vital_unit"), unit),
  };
  const sync = () => {
    const bp = type.value === "blood-pressure";
    fields.systolic.hidden = fields.diastolic.hidden = !bp;
    fields.value.hidden = bp;
    fields.unit.hidden = type.value !== "glucose";
    fields.value.querySelector("label")!.textContent = `${t("vital_value")}${units[type.value] ? ` (${units[type.value]})` : ""}`;
  };
  type.addEventListener("change", sync);
  sync();
  const top = formError(), done = status();
  const save = h("button", { type: "submit" }, t("vital_save"));
  const form = h("form", { class: "card grid", novalidate: true, "aria-labelledby": "vital-form-title" },
    h("h2", { id: "vital-form-title" }, t("vital_log")),
    field("type", t("vital_type"), type), fields.systolic, fields.diastolic, fields.value, fields.unit,
    field("recordedAt", t("vital_when"), when), field("note", t("vital_note"), note),
    top, h("div", { class: "actions" }, save), done);
  const asNumber = (s: string) => (s.trim() === "" ? null : Number(s));
  submitter(form, save, top, async () => {
    done.textContent = "";
    const body: Record<string, unknown> = { type: type.value, recordedAt: withOffset(when.value) };
    if (type.value === "blood-pressure") { body.systolic = asNumber(c.systolic.value); body.diastolic = asNumber(c.diastolic.value); }
    else body.value = asNumber(c.value.value);
    if (type.value === "glucose") body.unit = unit.value;
    if (note.value.trim()) body.note = note.value.trim();
    const saved = await call<Vital>("POST", "/api/patients/me/records/vitals", body);
    done.textContent = `${t("vital_saved")} ${typeLabel(saved.type)}: ${reading(saved)}`;
    c.systolic.value = c.diastolic.value = c.value.value = note.value = "";
    onSaved(saved);
  });
  return form;
}

export async function recordScreen(): Promise<HTMLElement> {
  let days = 7;
  let kind = "blood-pressure";
  const typePick = h("select", { id: "record-type" }, ...vitalTypes.map((v) => h("option", { value: v }, typeLabel(v))));
  const daysPick = h("select", { id: "record-days" }, ...[7, 30, 90].map((d) => h("option", { value: String(d) }, t("last_days").replace("{n}", String(d)))));
  const chartBox = h("div", { class: "chart-box" });
  const table = h("tbody");
  const more = h("button", { type: "button", class: "secondary", hidden: true }, t("load_more"));
  const stats = h("tbody");
  let cursor: string | null = null;

  async function loadList(append: boolean) {
    const q = new URLSearchParams({ type: kind, limit: "20" });
    if (append && cursor) q.set("cursor", cursor);
    const page = await call<Page>("GET", `/api/patients/me/records/vitals?${q}`);
    if (!append) table.replaceChildren();
    for (const v of page.items) table.append(h("tr", {}, h("td", {}, formatDateTime(v.recordedAt)), h("td", {}, reading(v)), h("td", {}, v.note ?? "")));
    if (!append && !page.items.length) table.append(h("tr", {}, h("td", { colspan: "3" }, t("no_readings"))));
    cursor = page.nextCursor;
    more.hidden = !cursor;
  }

  async function loadInsights() {
    const insights = await call<Insights>("GET", `/api/patients/me/insights?days=${days}`);
    stats.replaceChildren(...(insights.vitals.length ? insights.vitals.map((v) => h("tr", { "data-type": v.type },
      h("th", { scope: "row" }, `${typeLabel(v.type)}${v.component !== "value" ? ` (${v.component})` : ""}`),
      h("td", {}, String(v.count)), h("td", {}, `${v.average} ${v.unit}`), h("td", {}, `${v.min}–${v.max}`),
      h("td", {}, v.normalLow !== null && v.normalHigh !== null ? `${v.normalLow}–${v.normalHigh}` : "—"),
      h("td", { class: v.outOfRange ? "out" : undefined }, String(v.outOfRange ?? "—"))))
      : [h("tr", {}, h("td", { colspan: "6" }, t("no_readings")))]));
    // The chart's points: this type's readings inside the same window the insights cover.
    const q = new URLSearchParams({ type: kind, from: new Date(insights.from).toISOString(), to: new Date(insights.to).toISOString(), limit: "200" });
    const page = await call<Page>("GET", `/api/patients/me/records/vitals?${q}`);
    const ranges = insights.vitals.filter((v) => v.type === kind);
    const low = ranges.length ? Math.min(...ranges.map((r) => r.normalLow ?? Infinity)) : Infinity;
    const high = ranges.length ? Math.max(...ranges.map((r) => r.normalHigh ?? -Infinity)) : -Infinity;
    chartBox.replaceChildren(trendChart(page.items, new Date(insights.from), new Date(insights.to),
      { low: Number.isFinite(low) ? low : null, high: Number.isFinite(high) ? high : null },
      `${typeLabel(kind)} · ${t("last_days").replace("{n}", String(days))}`));
  }

  const refresh = () => Promise.all([loadList(false), loadInsights()]);
  typePick.addEventListener("change", () => { kind = typePick.value; void refresh(); });
  daysPick.addEventListener("change", () => { days = Number(daysPick.value); void loadInsights(); });
  more.addEventListener("click", () => void loadList(true));
  await refresh();

  return h("section", { "aria-labelledby": "record-title" },
    h("h1", { id: "record-title" }, t("record_title")),
    vitalForm((saved) => { typePick.value = kind = saved.type; void refresh(); }),
    h("section", { class: "card", "aria-labelledby": "trend-title" },
      h("h2", { id: "trend-title" }, t("trends")),
      h("div", { class: "grid" }, field("showType", t("vital_type"), typePick), field("days", t("period"), daysPick)),
      chartBox,
      h("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": t("insights_caption") }, h("table", { class: "stats" },
        h("caption", {}, t("insights_caption")),
        h("thead", {}, h("tr", {}, ...["vital_type", "count", "average", "range", "normal_range", "out_of_range"].map((k) => h("th", { scope: "col" }, t(k as Parameters<typeof t>[0]))))),
        stats))),
    h("section", { class: "card", "aria-labelledby": "readings-title" },
      h("h2", { id: "readings-title" }, t("readings")),
      h("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": t("readings") }, h("table", { class: "readings" },
        h("thead", {}, h("tr", {}, ...["when", "reading", "vital_note"].map((k) => h("th", { scope: "col" }, t(k as Parameters<typeof t>[0]))))),
        table)),
      more));
}
