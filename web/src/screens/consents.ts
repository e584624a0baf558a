// Who may read my record: grant a doctor access until a date, withdraw it, and see every read in the access log.
import { call, type Schemas } from "../api/client";
import { formatDateTime, t } from "../i18n";
import { field, h } from "../ui";
import { formError, status, submitter } from "./health";

type Consent = Schemas["Consent"];
type AuditPage = Schemas["AuditPage"];
type DoctorPage = Schemas["DoctorPage"];

/** The end of the chosen local day, with the browser's offset, since the Api wants ISO 8601 with an offset. */
function endOfDay(date: string): string | null {
  if (!date) return null;
  const at = new Date(`${date}T23:59:00`);
  if (Number.isNaN(at.getTime())) return date;
  const m = -at.getTimezoneOffset();
  const pad = (n: number) => String(Math.floor(Math.abs(n))).padStart(2, "0");
  return `${date}T23:59:00${m >= 0 ? "+" : "-"}${pad(m / 60)}:${pad(m % 60)}`;
}

export async function consentsScreen(): Promise<HTMLElement> {
  const consents = h("ul", { class: "plain" });
  const log = h("tbody");
  const more = h("button", { type: "button", class: "secondary", hidden: true }, t("load_more"));
  let cursor: string | null = null;

  async function loadConsents() {
    const list = await call<Consent[]>("GET", "/api/patients/me/consents");
    consents.replaceChildren(...list.map((c) => {
      const name = c.doctorName ?? c.doctorId;
      const li = h("li", { class: "card", "data-doctor": c.doctorId },
        h("strong", {}, name), " ",
        h("span", { class: "muted" }, `${t(c.basis === "appointment" ? "basis_appointment" : "basis_consent")} · ${t("until")} ${formatDateTime(c.until)}`));
      if (c.basis !== "appointment") {
        const withdraw = h("button", { type: "button", class: "secondary", "aria-label": `${t("withdraw")}: ${name}` }, t("withdraw"));
        withdraw.addEventListener("click", async () => {
          withdraw.disabled = true;
          await call<void>("DELETE", `/api/patients/me/consents/${c.doctorId}`);
          await loadConsents();
        });
        li.append(h("div", { class: "actions" }, withdraw));
      }
      return li;
    }));
    if (!list.length) consents.append(h("li", { class: "muted" }, t("no_consents")));
  }

  async function loadLog(append: boolean) {
    const q = new URLSearchParams({ limit: "20" });
    if (append && cursor) q.set("cursor", cursor);
    const page = await call<AuditPage>("GET", `/api/patients/me/access-log?${q}`);
    if (!append) log.replaceChildren();
    log.append(...page.items.map((e) => h("tr", { "data-action": e.action },
      h("td", {}, formatDateTime(e.at)), h("td", {}, `${e.actorName ?? e.actorId} (${e.actorRole})`),
      h("td", {}, e.action), h("td", {}, e.denied ? t("denied") : (e.basis ?? "")))));
    if (!append && !page.items.length) log.append(h("tr", {}, h("td", { colspan: "4" }, t("no_reads"))));
    cursor = page.nextCursor;
    more.hidden = !cursor;
  }
  more.addEventListener("click", () => void loadLog(true));

  // The doctor may be picked from the catalog or pasted as an id (one the patient was given): the id wins when both are set.
  const picker = h("select", {}, h("option", { value: "" }, t("not_set")));
  try {
    const doctors = await call<DoctorPage>("GET", "/api/doctors?page=1&pageSize=100");
    picker.append(...doctors.items.map((d) => h("option", { value: d.doctorId ?? "" }, d.name ?? d.doctorId ?? "")));
  } catch { /* the id field still works without the catalog */ }
  const doctorId = h("input", { type: "text", autocomplete: "off", spellcheck: "false" });
  const until = h("input", { type: "date" });
  const top = formError(), done = status();
  const grant = h("button", { type: "submit" }, t("grant"));
  const form = h("form", { class: "card grid", novalidate: true, "aria-labelledby": "grant-title" },
    h("h2", { id: "grant-title" }, t("grant_title")),
    field("doctorPick", t("doctor_from_catalog"), picker), field("doctorId", t("doctor_id"), doctorId),
    field("until", t("until_date"), until), top, h("div", { class: "actions" }, grant), done);
  submitter(form, grant, top, async () => {
    done.textContent = "";
    const id = doctorId.value.trim() || picker.value || null;
    const saved = await call<Consent>("POST", "/api/patients/me/consents", { doctorId: id, until: endOfDay(until.value) });
    done.textContent = `${t("granted")} ${saved.doctorName ?? saved.doctorId}`;
    doctorId.value = "";
    await loadConsents();
  });

  await Promise.all([loadConsents(), loadLog(false)]);
  return h("section", { "aria-labelledby": "consents-title" },
    h("h1", { id: "consents-title" }, t("consents_title")),
    form,
    h("section", { "aria-labelledby": "current-title" }, h("h2", { id: "current-title" }, t("consents_current")), consents),
    h("section", { class: "card", "aria-labelledby": "log-title" },
      h("h2", { id: "log-title" }, t("access_log")),
      h("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": t("access_log") }, h("table", {},
        h("thead", {}, h("tr", {}, ...["when", "who", "what", "basis"].map((k) => h("th", { scope: "col" }, t(k as Parameters<typeof t>[0]))))),
        log)),
      more));
}
