// The doctor's own screens: credential submission and review status, and their appointments in their own time zone.
import { accessToken, ApiError, call, userId, type Schemas } from "../api/client";
import { formatDateTime, setTimeZone, t } from "../i18n";
import { field, h } from "../ui";
import { formError, status, submitter } from "./health";

type Doctor = Schemas["DoctorProfile"];
type CredentialRecord = Schemas["CredentialRecord"];
type AppointmentSummary = Schemas["AppointmentSummary"];

// Keys built from an Api value (a status) are checked by the dictionary types only at runtime.
const tk = (key: string) => t(key as Parameters<typeof t>[0]);

/**
 * The signed-in doctor's catalog entry: whether they are verified, and the zone their calendar is kept in. Times on
 * the doctor's screens are shown in that zone, because that is the one their working day is planned in.
 */
export async function doctorSelf(): Promise<{ verified: boolean; zone: string }> {
  let doctor: Doctor | null = null;
  try { doctor = await call<Doctor>("GET", `/api/doctors/${userId()}`); } catch { /* made a doctor by a role change: no catalog entry yet */ }
  const zone = doctor?.availability?.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  setTimeZone(zone);
  return { verified: doctor?.verified ?? false, zone };
}

/** Why the case screens are closed to this doctor, with the way to open them. */
export function notVerifiedNotice(): HTMLElement {
  return h("div", { class: "card notice-card", role: "status", "data-not-verified": true },
    h("p", {}, t("dr_not_verified")),
    h("p", {}, h("a", { href: "/credentials", "data-link": true }, t("dr_go_credentials"))));
}

/** Uploads one file through POST /api/attachments (multipart, so not through call()) and returns its id. */
async function upload(file: File): Promise<string> {
  const body = new FormData();
  body.append("file", file);
  const response = await fetch("/api/attachments", { method: "POST", headers: { Authorization: `Bearer ${await accessToken()}`, Accept: "application/json" }, body });
  const json = await response.json().catch(() => ({})) as { id?: string; title?: string; detail?: string; errors?: Record<string, string[]> };
  if (!response.ok || !json.id) {
    // The Api names the multipart field "file"; on this form the control is "attachments".
    const errors = Object.fromEntries(Object.entries(json.errors ?? {}).map(([k, v]) => [k === "file" ? "attachments" : k, v]));
    throw new ApiError(response.status, json.detail ?? json.title ?? response.statusText, Object.keys(errors).length ? errors : { attachments: [json.detail ?? json.title ?? response.statusText] });
  }
  return json.id;
}

/** /credentials: submit credentials (with scans) and see each submission's status and the reviewer's reason. */
export async function credentialsScreen(): Promise<HTMLElement> {
  const { verified } = await doctorSelf();
  const input = (extra: Record<string, string> = {}) => h("input", { type: "text", ...extra });
  const c = {
    licenseNumber: input({ maxlength: "32", autocomplete: "off" }), issuingAuthority: input({ maxlength: "200" }),
    institution: input({ maxlength: "200" }), degree: input({ maxlength: "100" }),
    graduationYear: h("input", { type: "number", min: "1940", max: String(new Date().getFullYear()), inputmode: "numeric" }),
    attachments: h("input", { type: "file", multiple: true, accept: "application/pdf,image/png,image/jpeg" }),
  };
  const labels: Record<keyof typeof c, string> = {
    licenseNumber: t("dr_license"), issuingAuthority: t("dr_authority"), institution: t("dr_institution"), degree: t("dr_degree"),
    graduationYear: t("dr_graduation_year"), attachments: t("dr_attachments"),
  };
  const top = formError(), done = status(), save = h("button", { type: "submit" }, t("dr_submit"));
  const form = h("form", { class: "card grid", novalidate: true, "aria-labelledby": "cred-form-title" },
    h("h2", { id: "cred-form-title" }, t("dr_submit_title")),
    ...Object.entries(c).map(([k, control]) => field(k, labels[k as keyof typeof c], control)),
    top, h("div", { class: "actions" }, save), done);
  const list = h("ul", { class: "credentials", "aria-label": t("dr_my_submissions") });

  async function load() {
    const items = await call<CredentialRecord[]>("GET", "/api/doctors/me/credentials");
    list.replaceChildren(...(items.length === 0 ? [h("li", { class: "muted" }, t("dr_no_submissions"))] : items.map((r) =>
      h("li", { class: "card", "data-submission": r.id, "data-status": r.status },
        h("strong", {}, `${r.licenseNumber} · ${r.issuingAuthority}`), " · ",
        h("span", { class: `cred-status cred-${r.status}` }, tk(`dr_status_${r.status}`)),
        h("p", { class: "muted small" }, `${r.degree}, ${r.institution} (${r.graduationYear}) · ${t("dr_submitted")} ${formatDateTime(r.submittedAt)}` +
          (r.decidedAt ? ` · ${t("dr_decided")} ${formatDateTime(r.decidedAt)}` : "")),
        r.reason ? h("p", {}, `${t("dr_reason")}: ${r.reason}`) : null))));
  }

  submitter(form, save, top, async () => {
    done.textContent = "";
    // Files first: the submission refers to them by id, and an upload refused for its type is shown at its field.
    const attachmentIds: string[] = [];
    for (const file of Array.from(c.attachments.files ?? [])) attachmentIds.push(await upload(file));
    const year = c.graduationYear.value.trim();
    await call<CredentialRecord>("POST", "/api/doctors/me/credentials", {
      licenseNumber: c.licenseNumber.value.trim() || null, issuingAuthority: c.issuingAuthority.value.trim() || null,
      institution: c.institution.value.trim() || null, degree: c.degree.value.trim() || null,
      graduationYear: year === "" ? null : Number(year), attachmentIds,
    });
    done.textContent = t("dr_submitted_notice");
    c.attachments.value = "";
    await load();
  });

  await load();
  return h("section", { class: "doc-screen", "aria-labelledby": "cred-title" },
    h("h1", { id: "cred-title" }, t("dr_credentials_title")),
    h("p", { class: verified ? "notice" : "muted", "data-verified": String(verified) }, verified ? t("dr_verified") : t("dr_not_verified")),
    form,
    h("div", { class: "card" }, h("h2", {}, t("dr_my_submissions")), list));
}

/** /schedule: the doctor's appointments in their calendar's zone, with complete and no-show and the Api's 409 reasons. */
export async function scheduleScreen(): Promise<HTMLElement> {
  const { zone } = await doctorSelf();
  const list = h("ul", { class: "appointments", "aria-label": t("dr_schedule_title") });
  let page = 1;
  const pageSize = 20;
  const more = h("button", { type: "button", class: "secondary", hidden: true }, t("dr_load_more"));

  function row(a: AppointmentSummary): HTMLElement {
    const state = h("span", { class: "appt-status" }, tk(`market_appt_${a.status}`));
    const error = h("p", { class: "form-error", role: "alert", hidden: true });
    const when = `${formatDateTime(a.start)} – ${new Intl.DateTimeFormat(document.documentElement.lang, { timeStyle: "short", timeZone: zone }).format(new Date(a.end))}`;
    const li = h("li", { class: "card appointment", "data-appointment": a.id, "data-status": a.status }, h("strong", {}, when), " · ", state);
    if (a.status === "booked") {
      const action = (label: string, verb: string) => {
        const b = h("button", { type: "button", class: "secondary", "aria-label": `${label}: ${when}` }, label);
        b.addEventListener("click", async () => {
          error.hidden = true;
          b.disabled = true;
          try {
            const done = await call<Schemas["AppointmentView"]>("POST", `/api/appointments/${a.id}/${verb}`, {});
            li.replaceWith(row({ ...a, status: done.status }));
          } catch (e) {
            // A 409 says why (not started yet, or no longer booked): that sentence is what the doctor needs.
            const reason = e instanceof Error ? e.message : t("error_generic");
            // "No longer booked" means this row is stale (the patient cancelled): show the status as it is now.
            const now = e instanceof ApiError && e.status === 409
              ? await call<Schemas["AppointmentView"]>("GET", `/api/appointments/${a.id}`).catch(() => null) : null;
            const target = now && now.status !== a.status ? row({ ...a, status: now.status }) : li;
            if (target !== li) li.replaceWith(target);
            const slot = target.querySelector<HTMLElement>("[role=alert]") ?? target.appendChild(h("p", { class: "form-error", role: "alert" }));
            slot.textContent = reason;
            slot.hidden = false;
            b.disabled = false;
          }
        });
        return b;
      };
      li.append(h("div", { class: "actions" }, action(t("market_complete"), "complete"), action(t("market_no_show"), "no-show")), error);
    }
    return li;
  }

  async function load() {
    const items = await call<AppointmentSummary[]>("GET", `/api/doctors/me/appointments?page=${page}&pageSize=${pageSize}`);
    if (page === 1 && items.length === 0) list.replaceChildren(h("li", { class: "muted" }, t("market_no_appointments")));
    else list.append(...items.map(row));
    more.hidden = items.length < pageSize;
  }
  more.addEventListener("click", () => { page++; void load(); });

  await load();
  return h("section", { class: "doc-screen", "aria-labelledby": "schedule-title" },
    h("h1", { id: "schedule-title" }, t("dr_schedule_title")),
    h("p", { class: "muted small" }, `${t("slots_zone")}: ${zone}`),
    list, more);
}
