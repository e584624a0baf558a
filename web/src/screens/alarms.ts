// Medication schedules (add, list, delete), one-off reminders, and the alarms of the last day and the coming week, each marked taken or skipped.
import { ApiError, call } from "../api/client";
import { formatDateTime, t, viewTimeZone } from "../i18n";
import { field, h } from "../ui";
import { loadProfile } from "./profile";
import { formError, status, submitter, withZoneOffset, zoneNow } from "./health";

type Alarm = { id: string; kind: string; title: string; dueAt: string; status: string; late?: boolean };
type Page = { items: Alarm[]; nextCursor: string | null };
type Schedule = { id: string; medicationName: string; timesOfDay: string[]; daysOfWeek: string[]; startDate: string; endDate: string | null; timeZone: string };
type Medication = { id: string; name: string; dose: string; active: boolean };
type Profile = Awaited<ReturnType<typeof loadProfile>>;

const days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
type Key = Parameters<typeof t>[0];

/** A date input's value for today in the browser's zone (toISOString would give UTC's date). */
function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

/** The schedules and the form that adds one; the Api schedules in the profile's zone, so the form names it. */
async function schedulesSection(profile: Profile): Promise<HTMLElement> {
  const meds = await call<{ items: Medication[] }>("GET", "/api/patients/me/records/medications?limit=200");
  const active = meds.items.filter((m) => m.active);
  const list = h("ul", { class: "plain schedules" });
  const done = status(), top = formError();

  function item(sc: Schedule): HTMLElement {
    const remove = h("button", { type: "button", class: "secondary", "aria-label": `${t("sched_delete")}: ${sc.medicationName}` }, t("sched_delete"));
    const li = h("li", { class: "card schedule", "data-schedule": sc.id },
      h("strong", {}, sc.medicationName), " ",
      h("span", {}, sc.timesOfDay.join(", ")), " · ",
      h("span", {}, sc.daysOfWeek.length === 7 || sc.daysOfWeek.length === 0 ? t("sched_every_day") : sc.daysOfWeek.map((d) => t(`day_${d}` as Key)).join(", ")),
      " · ", h("span", { class: "muted" }, `${sc.startDate}${sc.endDate ? ` ${t("sched_until")} ${sc.endDate}` : ""} (${sc.timeZone})`),
      h("div", { class: "actions" }, remove));
    remove.addEventListener("click", async () => {
      remove.disabled = true;
      try {
        await call<void>("DELETE", `/api/patients/me/medication-schedules/${sc.id}`);
        done.textContent = t("sched_deleted");
        await draw();
      } catch (e) {
        top.textContent = e instanceof ApiError ? e.title : t("error_generic");
        top.hidden = false;
        remove.disabled = false;
      }
    });
    return li;
  }

  async function draw() {
    const all = await call<{ items: Schedule[] }>("GET", "/api/patients/me/medication-schedules");
    list.replaceChildren(...(all.items.length ? all.items.map(item) : [h("li", { class: "muted" }, t("sched_none"))]));
  }

  const medication = h("select", {}, ...active.map((m) => h("option", { value: m.id }, `${m.name} ${m.dose}`.trim())));
  const times = h("input", { type: "text", inputmode: "numeric", placeholder: "08:00, 20:00", autocomplete: "off" });
  const start = h("input", { type: "date", value: today() });
  const end = h("input", { type: "date" });
  const checks = days.map((d) => h("input", { type: "checkbox", value: d, id: `sched-day-${d}` }));
  // Days are one fieldset with a legend; its error slot answers to "daysOfWeek" and "daysOfWeek[2]" alike.
  const dayError = h("p", { class: "field-error", id: "sched-days-error", "data-error-for": "daysOfWeek", hidden: true });
  const dayBox = h("fieldset", { class: "days", "aria-describedby": dayError.id },
    h("legend", {}, t("sched_days")),
    ...days.flatMap((d, i) => [h("label", { class: "day", for: checks[i].id }, checks[i], t(`day_${d}` as Key))]), dayError);
  checks[0].name = "daysOfWeek";
  const zone = profile.timeZone;
  const zoneLine = h("p", { class: zone ? "muted" : "form-error" }, zone ? `${t("sched_zone")} ${zone}` : t("sched_no_zone"), " ",
    zone ? null : h("a", { href: "/profile", "data-link": true }, t("nav_profile")));
  const zoneError = h("p", { class: "field-error", "data-error-for": "timeZone", hidden: true });
  const save = h("button", { type: "submit", disabled: !active.length }, t("sched_save"));
  const form = h("form", { class: "card grid", novalidate: true, "aria-labelledby": "sched-form-title" },
    h("h2", { id: "sched-form-title" }, t("sched_add")),
    active.length ? null : h("p", { class: "muted" }, t("sched_no_meds"), " ", h("a", { href: "/record", "data-link": true }, t("nav_record"))),
    field("medicationId", t("sched_medication"), medication), field("timesOfDay", t("sched_times"), times),
    field("startDate", t("sched_start"), start), field("endDate", t("sched_end"), end),
    dayBox, h("div", { class: "zone-line" }, zoneLine, zoneError), top, h("div", { class: "actions" }, save), done);
  submitter(form, save, top, async () => {
    done.textContent = "";
    const body: Record<string, unknown> = {
      medicationId: medication.value,
      timesOfDay: times.value.split(/[,\s]+/).filter((x) => x !== ""),
      startDate: start.value || undefined,
    };
    const picked = checks.filter((c) => c.checked).map((c) => c.value);
    if (picked.length) body.daysOfWeek = picked;
    if (end.value) body.endDate = end.value;
    await call<Schedule>("POST", "/api/patients/me/medication-schedules", body);
    done.textContent = t("sched_saved");
    times.value = "";
    await draw();
  });
  await draw();
  return h("section", { "aria-labelledby": "sched-title" }, h("h2", { id: "sched-title", class: "section-title" }, t("sched_title")), form, list);
}

/**
 * A one-off reminder. The date and time are read on the wall clock of the zone the page shows times in (the profile's,
 * else the browser's) and sent with that zone's offset, so "09:00" means 09:00 where the patient says they live.
 */
function reminderForm(profile: Profile, listedUntil: string, onSaved: (alarm: Alarm) => Promise<void>): HTMLElement {
  const zone = viewTimeZone();
  const title = h("input", { type: "text", maxlength: "200", autocomplete: "off" });
  const at = h("input", { type: "datetime-local", value: zoneNow(zone, 60) });
  const top = formError(), done = status();
  const save = h("button", { type: "submit" }, t("alarm_new_save"));
  const form = h("form", { class: "card grid", novalidate: true, "aria-labelledby": "reminder-title" },
    h("h2", { id: "reminder-title" }, t("alarm_new")),
    field("title", t("alarm_new_title"), title), field("at", t("alarm_new_at"), at),
    h("p", { class: "muted zone-line" }, `${profile.timeZone === zone ? t("alarm_new_zone_profile") : t("alarm_new_zone_browser")} ${zone}`),
    top, h("div", { class: "actions" }, save), done);
  submitter(form, save, top, async () => {
    done.textContent = "";
    const body: Record<string, unknown> = {};
    // Left out when empty, so the Api answers "is required" under the field rather than a type error.
    if (title.value.trim()) body.title = title.value.trim();
    if (at.value) body.at = withZoneOffset(at.value, zone);
    const saved = await call<Alarm>("POST", "/api/alarms", body);
    done.textContent = `${t("alarm_new_saved")} ${saved.title}, ${formatDateTime(saved.dueAt)}.`
      + (new Date(saved.dueAt) > new Date(listedUntil) ? ` ${t("alarm_new_later")}` : "");
    title.value = "";
    await onSaved(saved);
  });
  return form;
}

function row(alarm: Alarm, top: HTMLElement): HTMLElement {
  const li = h("li", { class: "card alarm", "data-status": alarm.status, "data-id": alarm.id });
  const draw = (a: Alarm) => {
    li.dataset.status = a.status;
    const buttons = a.status === "open"
      ? (["taken", "skipped"] as const).map((answer) => {
        const b = h("button", { type: "button", class: answer === "taken" ? undefined : "secondary", "aria-label": `${t(`alarm_${answer}_action`)}: ${a.title}` }, t(`alarm_${answer}_action`));
        b.addEventListener("click", async () => {
          b.disabled = true;
          try { draw(await call<Alarm>("POST", `/api/alarms/${a.id}/${answer}`)); }
          catch (e) { top.textContent = e instanceof ApiError ? e.title : t("error_generic"); top.hidden = false; b.disabled = false; }
        });
        return b;
      })
      : [];
    li.replaceChildren(...[
      h("strong", {}, a.title), " ",
      h("span", { class: "muted" }, formatDateTime(a.dueAt)), " ",
      h("span", { class: `pill pill-${a.status}` }, t(`alarm_status_${a.status}` as Parameters<typeof t>[0]) ?? a.status),
      a.late ? h("span", { class: "pill" }, t("alarm_late")) : null,
      buttons.length ? h("div", { class: "actions" }, ...buttons) : null].filter((n) => n !== null));
  };
  draw(alarm);
  return li;
}

export async function alarmsScreen(): Promise<HTMLElement> {
  const from = new Date(Date.now() - 24 * 3600_000).toISOString();
  const to = new Date(Date.now() + 7 * 24 * 3600_000).toISOString();
  // First, so the list and the forms show times in the profile's zone.
  const profile = await loadProfile();
  const list = h("ul", { class: "plain" });
  const top = h("p", { class: "form-error", role: "alert", hidden: true });
  const more = h("button", { type: "button", class: "secondary", hidden: true }, t("load_more"));
  let cursor: string | null = null;
  async function load() {
    const q = new URLSearchParams({ from, to, limit: "50" });
    if (cursor) q.set("cursor", cursor);
    const page = await call<Page>("GET", `/api/alarms?${q}`);
    list.append(...page.items.map((a) => row(a, top)));
    if (!list.children.length) list.append(h("li", { class: "muted" }, t("no_alarms")));
    cursor = page.nextCursor;
    more.hidden = !cursor;
  }
  more.addEventListener("click", () => void load());
  await load();
  // A reminder is stored at once, so the list is read again from its start to show it in its place.
  const reminder = reminderForm(profile, to, async () => { cursor = null; list.replaceChildren(); await load(); });
  // Alarms are written when a dose falls due, so a new schedule adds none to this list yet.
  const schedules = await schedulesSection(profile);
  return h("section", { "aria-labelledby": "alarms-title" },
    h("h1", { id: "alarms-title" }, t("alarms_title")),
    h("p", { class: "muted" }, t("alarms_window")), top, list, more, reminder, schedules);
}
