// The patient's vitals: log, edit or delete one (the Api's errors at their fields), list by type with keyset paging, insights and a trend chart.
import { ApiError, call, type Schemas } from "../api/client";
import { formatDateTime, lang, t, viewTimeZone } from "../i18n";
import { clearErrors, field, h } from "../ui";
import { confirmDelete, formError, localNow, status, submitter, toLocalInput, withOffset } from "./health";

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
  // Drawn at about the width it is shown (the card inside main's padding), so one unit is about one CSS pixel and
  // the 13-unit labels stay readable on a phone instead of shrinking with a fixed 600-wide drawing.
  const width = Math.round(Math.max(300, Math.min(640, window.innerWidth - 70)));
  const height = 240, left = 46, right = 14, top = 14, bottom = 40, fontSize = 13;
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", class: "chart", "aria-labelledby": "chart-title chart-desc" });
  const titleEl = svg("title", { id: "chart-title" });
  titleEl.textContent = title;
  const desc = svg("desc", { id: "chart-desc" });
  desc.textContent = points.length
    ? points.map((p) => `${formatDateTime(p.recordedAt)}: ${reading(p)}`).join("; ")
    : t("chart_empty");
  chart.append(titleEl, desc);
  const readings = points.flatMap(chartValue);
  const values = readings.concat([band.low, band.high].filter((x): x is number => x !== null));
  if (!values.length) return chart;
  // Padded domains: a lone reading or a flat series sits inside the plot, not on its edge or its frame.
  let min = Math.min(...values), max = Math.max(...values);
  const ySlack = Math.max((max - min) * 0.12, Math.abs(max) * 0.05, 1);
  min -= ySlack; max += ySlack;
  const span = Math.max(to.getTime() - from.getTime(), 1);
  const xFrom = from.getTime() - span * 0.06, xSpan = span * 1.12;
  const x = (iso: string) => left + ((new Date(iso).getTime() - xFrom) / xSpan) * (width - left - right);
  const y = (v: number) => height - bottom - ((v - min) / (max - min)) * (height - top - bottom);
  const axis = "#57606a", ink = "#1b1f24";
  chart.append(svg("line", { x1: left, y1: height - bottom, x2: width - right, y2: height - bottom, stroke: axis }));
  chart.append(svg("line", { x1: left, y1: top, x2: left, y2: height - bottom, stroke: axis }));
  if (band.low !== null && band.high !== null) {
    chart.append(svg("rect", { x: left, y: y(band.high), width: width - left - right, height: Math.max(0, y(band.low) - y(band.high)), fill: "#dafbe1", class: "band" }));
  }
  const text = (content: string, attrs: Record<string, string | number>) => {
    const el = svg("text", { "font-size": fontSize, fill: ink, ...attrs });
    el.textContent = content;
    chart.append(el);
  };
  // Labels at the lowest and highest reading (one label when they are equal), with a tick on the axis.
  const marks = readings.length ? [...new Set([Math.min(...readings), Math.max(...readings)].map((v) => Math.round(v * 10) / 10))] : [];
  for (const v of marks) {
    chart.append(svg("line", { x1: left - 4, y1: y(v), x2: left, y2: y(v), stroke: axis }));
    text(String(v), { x: left - 7, y: y(v) + fontSize / 3, "text-anchor": "end" });
  }
  const day = (d: Date) => new Intl.DateTimeFormat(lang(), { day: "numeric", month: "short", timeZone: viewTimeZone() }).format(d);
  text(day(from), { x: left, y: height - bottom + fontSize + 8, "text-anchor": "start" });
  text(day(to), { x: width - right, y: height - bottom + fontSize + 8, "text-anchor": "end" });
  const sorted = [...points].sort((a, b) => a.recordedAt.localeCompare(b.recordedAt));
  const series = sorted.length ? chartValue(sorted[0]).length : 0;
  const colours = ["#0b5cad", "#b00020"];
  for (let s = 0; s < series; s++) {
    const coords = sorted.map((p) => `${x(p.recordedAt).toFixed(1)},${y(chartValue(p)[s]).toFixed(1)}`);
    chart.append(svg("polyline", { points: coords.join(" "), fill: "none", stroke: colours[s], "stroke-width": 2 }));
    for (const c of coords) {
      const [cx, cy] = c.split(",");
      chart.append(svg("circle", { cx, cy, r: 5, fill: colours[s], class: "point" }));
    }
  }
  return chart;
}

/** A form that adds records and, after edit(record), replaces that one record instead (PUT) until it is saved or cancelled. */
type RecordForm<R> = { form: HTMLFormElement; edit: (record: R, returnTo: HTMLElement) => void; editing: () => string | null; stopEditing: () => void };

/**
 * The add/edit switch both record forms share: heading, save button and a Cancel that appears only while editing.
 * Focus goes to the form's first control on edit, and back to the row's Edit button on cancel.
 */
function editMode(heading: HTMLElement, save: HTMLButtonElement, texts: { add: string; edit: string; save: string; update: string }) {
  let id: string | null = null;
  let returnTo: HTMLElement | null = null;
  const cancel = h("button", { type: "button", class: "secondary", hidden: true }, t("rec_cancel_edit"));
  const show = () => {
    heading.textContent = id ? texts.edit : texts.add;
    save.textContent = id ? texts.update : texts.save;
    cancel.hidden = !id;
  };
  show();
  return {
    cancel,
    id: () => id,
    start(recordId: string, from: HTMLElement) { id = recordId; returnTo = from; show(); },
    stop(refocus = false) {
      id = null;
      show();
      if (refocus && returnTo?.isConnected) returnTo.focus();
      returnTo = null;
    },
  };
}

function vitalForm(onSaved: (v: Vital) => void): RecordForm<Vital> {
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
  const heading = h("h2", { id: "vital-form-title" });
  const mode = editMode(heading, save, { add: t("vital_log"), edit: t("vital_edit"), save: t("vital_save"), update: t("rec_update") });
  const form = h("form", { class: "card grid", novalidate: true, "aria-labelledby": "vital-form-title" },
    heading,
    field("type", t("vital_type"), type), fields.systolic, fields.diastolic, fields.value, fields.unit,
    field("recordedAt", `${t("vital_when")} (${viewTimeZone()})`, when), field("note", t("vital_note"), note),
    top, h("div", { class: "actions" }, save, mode.cancel), done);
  const asNumber = (s: string) => (s.trim() === "" ? null : Number(s));
  const blank = () => { c.systolic.value = c.diastolic.value = c.value.value = note.value = ""; when.value = localNow(); };
  const stopEditing = (refocus = false) => { mode.stop(refocus); blank(); clearErrors(form); top.hidden = true; };
  mode.cancel.addEventListener("click", () => { stopEditing(true); done.textContent = ""; });
  submitter(form, save, top, async () => {
    done.textContent = "";
    const body: Record<string, unknown> = { type: type.value, recordedAt: withOffset(when.value) };
    if (type.value === "blood-pressure") { body.systolic = asNumber(c.systolic.value); body.diastolic = asNumber(c.diastolic.value); }
    else body.value = asNumber(c.value.value);
    if (type.value === "glucose") body.unit = unit.value;
    if (note.value.trim()) body.note = note.value.trim();
    const id = mode.id();
    const saved = id
      ? await call<Vital>("PUT", `/api/patients/me/records/vitals/${id}`, body)
      : await call<Vital>("POST", "/api/patients/me/records/vitals", body);
    done.textContent = `${id ? t("rec_updated") : t("vital_saved")} ${typeLabel(saved.type)}: ${reading(saved)}`;
    stopEditing(false);
    onSaved(saved);
  });
  const edit = (v: Vital, from: HTMLElement) => {
    clearErrors(form);
    top.hidden = true;
    done.textContent = "";
    type.value = v.type;
    sync();
    const text = (n?: number | null) => (n == null ? "" : String(n));
    c.systolic.value = text(v.systolic); c.diastolic.value = text(v.diastolic); c.value.value = text(v.value);
    if (v.type === "glucose" && v.unit) unit.value = v.unit;
    when.value = toLocalInput(v.recordedAt);
    note.value = v.note ?? "";
    mode.start(v.id, from);
    form.scrollIntoView({ block: "start" });
    type.focus();
  };
  return { form, edit, editing: mode.id, stopEditing: () => stopEditing(false) };
}

/**
 * The Edit and Delete buttons of a listed record, each named with what the row shows so a screen reader's button
 * list says which record they act on. Delete asks first, then the caller reloads its list.
 */
function rowActions(what: string, onEdit: (button: HTMLElement) => void, remove: () => Promise<void>, problem: HTMLElement): HTMLElement {
  const edit = h("button", { type: "button", class: "secondary", "aria-label": `${t("rec_edit")}: ${what}` }, t("rec_edit"));
  const del = h("button", { type: "button", class: "secondary", "aria-label": `${t("rec_delete")}: ${what}` }, t("rec_delete"));
  edit.addEventListener("click", () => onEdit(edit));
  del.addEventListener("click", async () => {
    if (!await confirmDelete(t("rec_delete_question"), what, t("rec_delete_confirm"), t("rec_delete_keep"))) return;
    del.disabled = true;
    problem.hidden = true;
    try { await remove(); }
    catch (e) {
      problem.textContent = e instanceof ApiError ? e.title : t("error_generic");
      problem.hidden = false;
      del.disabled = false;
    }
  });
  return h("td", {}, h("div", { class: "row-actions" }, edit, del));
}

// ---- the other record kinds: one form and one list, their fields chosen by the kind ----

type Input = { name: string; control: "text" | "textarea" | "number" | "datetime" | "select" | "checkbox"; options?: readonly string[]; min?: string; max?: string; step?: string };
type LogRecord = Record<string, unknown> & { id: string; recordedAt: string; note?: string | null };
type LogPage = { items: LogRecord[]; nextCursor: string | null };

// The fields RecordEndpoints takes for each kind (HealthRecordRules); the Api checks them again and names the bad one.
export const logKinds: Record<string, readonly Input[]> = {
  medications: [{ name: "name", control: "text" }, { name: "dose", control: "text" }, { name: "frequency", control: "text" },
    { name: "instructions", control: "textarea" }, { name: "active", control: "checkbox" }],
  food: [{ name: "description", control: "text" }, { name: "mealType", control: "select", options: ["breakfast", "lunch", "dinner", "snack"] },
    { name: "calories", control: "number", min: "0" }, { name: "proteinG", control: "number", min: "0" }, { name: "carbsG", control: "number", min: "0" },
    { name: "fatG", control: "number", min: "0" }],
  water: [{ name: "ml", control: "number", min: "1", step: "1" }],
  sleep: [{ name: "start", control: "datetime" }, { name: "end", control: "datetime" }, { name: "quality", control: "number", min: "1", max: "10", step: "1" }],
  exercise: [{ name: "type", control: "text" }, { name: "minutes", control: "number", min: "1" }, { name: "calories", control: "number", min: "0" },
    { name: "intensity", control: "select", options: ["low", "moderate", "high"] }],
  mood: [{ name: "mood", control: "text" }, { name: "energy", control: "number", min: "1", max: "10", step: "1" }, { name: "notes", control: "textarea" }],
  meditation: [{ name: "minutes", control: "number", min: "1" }, { name: "technique", control: "text" }],
};

type Key = Parameters<typeof t>[0];
const kindLabel = (kind: string) => t(`log_kind_${kind}` as Key);
// Most field names mean one thing in every kind (calories, minutes); exercise's "type" is the one that needs its own words.
const fieldLabel = (kind: string, name: string) => t((kind === "exercise" && name === "type" ? "log_exercise_type" : `log_f_${name}`) as Key);
const optionLabel = (name: string, value: string) => t(`log_${name}_${value}` as Key);

/** One line for a record in the list: its main values in the reader's words. */
export function logSummary(kind: string, r: LogRecord): string {
  const n = (v: unknown) => (v === undefined || v === null ? "" : String(v));
  const parts: string[] = [];
  switch (kind) {
    case "medications":
      parts.push(`${n(r.name)} ${n(r.dose)}`.trim(), n(r.frequency), r.active ? t("log_active_yes") : t("log_active_no"));
      if (r.instructions) parts.push(n(r.instructions));
      break;
    case "food":
      parts.push(n(r.description), optionLabel("mealType", n(r.mealType)));
      if (r.calories !== undefined) parts.push(`${n(r.calories)} kcal`);
      break;
    case "water": parts.push(`${n(r.ml)} ml`); break;
    case "sleep": {
      const hours = (new Date(n(r.end)).getTime() - new Date(n(r.start)).getTime()) / 3_600_000;
      parts.push(`${formatDateTime(n(r.start))} – ${formatDateTime(n(r.end))}`, `${Math.round(hours * 10) / 10} h`, `${t("log_f_quality")}: ${n(r.quality)}`);
      break;
    }
    case "exercise":
      parts.push(n(r.type), `${n(r.minutes)} min`, optionLabel("intensity", n(r.intensity)));
      if (r.calories !== undefined) parts.push(`${n(r.calories)} kcal`);
      break;
    case "mood":
      parts.push(n(r.mood), `${t("log_f_energy")}: ${n(r.energy)}`);
      if (r.notes) parts.push(n(r.notes));
      break;
    case "meditation":
      parts.push(`${n(r.minutes)} min`);
      if (r.technique) parts.push(n(r.technique));
      break;
  }
  return parts.filter((p) => p !== "").join(" · ");
}

function logControl(kind: string, input: Input): HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement {
  switch (input.control) {
    case "textarea": return h("textarea", { rows: "2", maxlength: "1000" });
    case "select": return h("select", {}, ...(input.options ?? []).map((o) => h("option", { value: o }, optionLabel(input.name, o))));
    case "checkbox": return h("input", { type: "checkbox", checked: kind === "medications" });
    case "datetime": return h("input", { type: "datetime-local" });
    case "number": return h("input", { type: "number", inputmode: "decimal", step: input.step ?? "any", min: input.min, max: input.max });
    default: return h("input", { type: "text", maxlength: "500" });
  }
}

/** The form and the list for the kinds that are not vitals: the kind picked first, then its fields. */
function logSection(): { section: HTMLElement; load: () => Promise<void> } {
  let kind = "medications";
  const kindPick = h("select", {}, ...Object.keys(logKinds).map((k) => h("option", { value: k }, kindLabel(k))));
  const fieldsBox = h("div", { class: "grid log-fields" });
  const when = h("input", { type: "datetime-local", value: localNow() });
  const note = h("input", { type: "text", maxlength: "1000" });
  let controls = new Map<string, HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>();
  const top = formError(), done = status();
  const save = h("button", { type: "submit" }, t("log_save"));
  const heading = h("h2", { id: "log-form-title" });
  const mode = editMode(heading, save, { add: t("log_title"), edit: t("log_edit"), save: t("log_save"), update: t("rec_update") });
  const rows = h("tbody");
  const listProblem = formError(), listDone = status();
  const listBox = h("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-labelledby": "log-list-title" });
  const more = h("button", { type: "button", class: "secondary", hidden: true }, t("load_more"));
  const listTitle = h("h3", { id: "log-list-title" });
  let cursor: string | null = null;

  function drawFields() {
    controls = new Map(logKinds[kind].map((i) => [i.name, logControl(kind, i)]));
    fieldsBox.replaceChildren(...logKinds[kind].map((i) => {
      const f = field(i.name, fieldLabel(kind, i.name), controls.get(i.name)!);
      if (i.control === "checkbox") f.classList.add("field-check");
      return f;
    }));
  }

  async function load(append = false) {
    const q = new URLSearchParams({ limit: "20" });
    if (append && cursor) q.set("cursor", cursor);
    const page = await call<LogPage>("GET", `/api/patients/me/records/${kind}?${q}`);
    if (!append) rows.replaceChildren();
    for (const r of page.items) {
      const what = `${kindLabel(kind)}, ${formatDateTime(r.recordedAt)}: ${logSummary(kind, r)}`;
      rows.append(h("tr", { "data-id": r.id }, h("td", {}, formatDateTime(r.recordedAt)), h("td", {}, logSummary(kind, r)), h("td", {}, r.note ?? ""),
        rowActions(what, (button) => edit(r, button), () => remove(r), listProblem)));
    }
    if (!append && !page.items.length) rows.append(h("tr", {}, h("td", { colspan: "4" }, t("log_none"))));
    listTitle.textContent = `${t("log_list")}: ${kindLabel(kind)}`;
    cursor = page.nextCursor;
    more.hidden = !cursor;
  }

  const form = h("form", { class: "card", novalidate: true, "aria-labelledby": "log-form-title" },
    heading,
    field("recordKind", t("log_kind"), kindPick), fieldsBox,
    h("div", { class: "grid" }, field("recordedAt", `${t("vital_when")} (${viewTimeZone()})`, when), field("note", t("vital_note"), note)),
    top, h("div", { class: "actions" }, save, mode.cancel), done);

  /** Back to adding: fresh fields for the kind, the kind free to change again. */
  function stopEditing(refocus: boolean) {
    mode.stop(refocus);
    kindPick.disabled = false;
    drawFields();
    note.value = "";
    when.value = localNow();
    clearErrors(form);
    top.hidden = true;
  }

  /** The same fields the add form draws, filled with the record's values; the kind is fixed while editing (it is in the PUT's path). */
  function edit(r: LogRecord, from: HTMLElement) {
    drawFields();
    clearErrors(form);
    top.hidden = true;
    done.textContent = "";
    for (const input of logKinds[kind]) {
      const c = controls.get(input.name)!;
      const value = r[input.name];
      if (input.control === "checkbox") (c as HTMLInputElement).checked = value === true;
      else if (input.control === "datetime") c.value = toLocalInput(value as string | undefined);
      else c.value = value === undefined || value === null ? "" : String(value);
    }
    when.value = toLocalInput(r.recordedAt);
    note.value = r.note ?? "";
    kindPick.disabled = true;
    mode.start(r.id, from);
    form.scrollIntoView({ block: "start" });
    fieldsBox.querySelector<HTMLElement>("input, select, textarea")?.focus();
  }

  async function remove(r: LogRecord) {
    await call<void>("DELETE", `/api/patients/me/records/${kind}/${r.id}`);
    if (mode.id() === r.id) stopEditing(false);
    listDone.textContent = `${t("rec_deleted")} ${logSummary(kind, r)}`;
    await load();
    listBox.focus();
  }
  mode.cancel.addEventListener("click", () => { stopEditing(true); done.textContent = ""; });
  kindPick.addEventListener("change", () => {
    kind = kindPick.value;
    drawFields();
    clearErrors(form);
    top.hidden = true;
    done.textContent = listDone.textContent = "";
    listProblem.hidden = true;
    void load();
  });
  drawFields();
  submitter(form, save, top, async () => {
    done.textContent = "";
    const body: Record<string, unknown> = { recordedAt: withOffset(when.value) };
    for (const input of logKinds[kind]) {
      const c = controls.get(input.name)!;
      // Empty optional fields are left out; an empty required one is left out too, so the Api names it "is required".
      if (input.control === "checkbox") body[input.name] = (c as HTMLInputElement).checked;
      else if (input.control === "number") { if (c.value.trim() !== "") body[input.name] = Number(c.value); }
      else if (input.control === "datetime") { if (c.value) body[input.name] = withOffset(c.value); }
      else if (c.value.trim() !== "") body[input.name] = c.value.trim();
    }
    if (note.value.trim()) body.note = note.value.trim();
    const id = mode.id();
    const saved = id
      ? await call<LogRecord>("PUT", `/api/patients/me/records/${kind}/${id}`, body)
      : await call<LogRecord>("POST", `/api/patients/me/records/${kind}`, body);
    done.textContent = `${id ? t("rec_updated") : t("vital_saved")} ${kindLabel(kind)}: ${logSummary(kind, saved)}`;
    if (id) stopEditing(false);
    else { drawFields(); note.value = ""; }
    await load();
  });
  more.addEventListener("click", () => void load(true));

  listBox.append(h("table", { class: "logs" },
    h("thead", {}, h("tr", {}, ...["when", "log_record", "vital_note", "rec_actions"].map((k) => h("th", { scope: "col" }, t(k as Key))))),
    rows));
  const section = h("div", { class: "stack" }, form,
    h("section", { class: "card", "aria-labelledby": "log-list-title" }, listTitle, listProblem, listDone, listBox, more));
  return { section, load: () => load() };
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
  const listProblem = formError(), listDone = status();
  const listBox = h("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": t("readings") });
  let cursor: string | null = null;
  const vitals = vitalForm((saved) => { typePick.value = kind = saved.type; void refresh(); });

  async function loadList(append: boolean) {
    const q = new URLSearchParams({ type: kind, limit: "20" });
    if (append && cursor) q.set("cursor", cursor);
    const page = await call<Page>("GET", `/api/patients/me/records/vitals?${q}`);
    if (!append) table.replaceChildren();
    for (const v of page.items) {
      const what = `${typeLabel(v.type)}, ${formatDateTime(v.recordedAt)}: ${reading(v)}`;
      table.append(h("tr", { "data-id": v.id }, h("td", {}, formatDateTime(v.recordedAt)), h("td", {}, reading(v)), h("td", {}, v.note ?? ""),
        rowActions(what, (button) => vitals.edit(v, button), () => remove(v), listProblem)));
    }
    if (!append && !page.items.length) table.append(h("tr", {}, h("td", { colspan: "4" }, t("no_readings"))));
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

  async function remove(v: Vital) {
    await call<void>("DELETE", `/api/patients/me/records/vitals/${v.id}`);
    if (vitals.editing() === v.id) vitals.stopEditing();
    listDone.textContent = `${t("rec_deleted")} ${typeLabel(v.type)}: ${reading(v)}`;
    await refresh();
    listBox.focus();
  }

  const logs = logSection();
  const refresh = () => Promise.all([loadList(false), loadInsights()]);
  typePick.addEventListener("change", () => { kind = typePick.value; listDone.textContent = ""; listProblem.hidden = true; void refresh(); });
  daysPick.addEventListener("change", () => { days = Number(daysPick.value); void loadInsights(); });
  more.addEventListener("click", () => void loadList(true));
  listBox.append(h("table", { class: "readings" },
    h("thead", {}, h("tr", {}, ...["when", "reading", "vital_note", "rec_actions"].map((k) => h("th", { scope: "col" }, t(k as Parameters<typeof t>[0]))))),
    table));
  await Promise.all([refresh(), logs.load()]);

  return h("section", { "aria-labelledby": "record-title" },
    h("h1", { id: "record-title" }, t("record_title")),
    vitals.form,
    h("section", { class: "card", "aria-labelledby": "trend-title" },
      h("h2", { id: "trend-title" }, t("trends")),
      h("div", { class: "grid" }, field("showType", t("vital_type"), typePick), field("days", t("period"), daysPick)),
      chartBox,
      h("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": t("insights_caption") }, h("table", { class: "stats" },
        h("caption", {}, t("insights_caption")),
        h("thead", {}, h("tr", {}, ...["vital_type", "count", "average", "range", "normal_range", "out_of_range"].map((k) => h("th", { scope: "col" }, t(k as Parameters<typeof t>[0]))))),
        stats)),
      h("p", { class: "scroll-hint muted small", "aria-hidden": "true" }, t("scroll_hint"))),
    h("section", { class: "card", "aria-labelledby": "readings-title" },
      h("h2", { id: "readings-title" }, t("readings")),
      listProblem, listDone,
      listBox,
      more),
    logs.section);
}
