// The admin's screen: specialties, doctors, a user's role, and the credential review queue.
import { ApiError, call, type Schemas } from "../api/client";
import { formatDateTime, t } from "../i18n";
import { field, h } from "../ui";
import { formError, status, submitter } from "./health";

type Specialty = Schemas["Specialty"];
type UserSummary = Schemas["UserSummary"];
type CredentialPage = Schemas["CredentialPage"];
type CredentialRecord = Schemas["CredentialRecord"];

let role: Promise<string | null> | null = null;
/** The signed-in user's role, read once per sign-in (the token's claims are not parsed in the browser). */
export function myRole(): Promise<string | null> {
  role ??= call<UserSummary>("GET", "/api/me").then((me) => me.role, () => { role = null; return null; });
  return role;
}
export function forgetRole() { role = null; }

const input = (type = "text", extra: Record<string, string> = {}) => h("input", { type, ...extra });

function specialtyForm(onCreated: () => void) {
  const name = input(), description = input();
  const top = formError(), done = status(), save = h("button", { type: "submit" }, t("create"));
  const form = h("form", { class: "card grid", novalidate: true, "aria-labelledby": "sp-title" },
    h("h2", { id: "sp-title" }, t("new_specialty")),
    field("name", t("name"), name), field("description", t("description"), description), top, h("div", { class: "actions" }, save), done);
  submitter(form, save, top, async () => {
    const s = await call<Specialty>("POST", "/api/admin/specialties", { name: name.value.trim() || null, description: description.value.trim() || null });
    done.textContent = `${t("created")}: ${s.name}`;
    name.value = description.value = "";
    onCreated();
  });
  return form;
}

function doctorForm(specialties: Specialty[]) {
  const c = {
    email: input("email", { autocomplete: "off" }), password: input("password", { autocomplete: "new-password" }), name: input(),
    specialtyId: h("select", {}, h("option", { value: "" }, t("not_set")), ...specialties.map((s) => h("option", { value: s.id }, s.name))),
    licenseNumber: input(), yearsOfExperience: input("number", { min: "0", max: "70" }),
    price: input("number", { step: "0.01", min: "0" }), currency: input("text", { value: "USD", maxlength: "3" }),
    languages: input("text", { value: "en" }),
  };
  const top = formError(), done = status(), save = h("button", { type: "submit" }, t("create"));
  const labels: Record<keyof typeof c, string> = {
    email: t("email"), password: t("password"), name: t("name"), specialtyId: t("specialty"), licenseNumber: t("license"),
    yearsOfExperience: t("admin_years"), price: t("price"), currency: t("currency"), languages: t("languages"),
  };
  const form = h("form", { class: "card grid", novalidate: true, "aria-labelledby": "doc-title" },
    h("h2", { id: "doc-title" }, t("new_doctor")),
    ...Object.entries(c).map(([k, control]) => field(k, labels[k as keyof typeof c], control)),
    top, h("div", { class: "actions" }, save), done);
  submitter(form, save, top, async () => {
    const num = (s: string) => (s.trim() === "" ? null : Number(s));
    const created = await call<{ doctorId: string }>("POST", "/api/admin/doctors", {
      email: c.email.value.trim() || null, password: c.password.value || null, name: c.name.value.trim() || null,
      specialtyId: c.specialtyId.value || null, licenseNumber: c.licenseNumber.value.trim() || null,
      yearsOfExperience: num(c.yearsOfExperience.value),
      price: c.price.value.trim() === "" ? null : { amount: Number(c.price.value), currency: c.currency.value.trim().toUpperCase() },
      languages: c.languages.value.split(",").map((l) => l.trim()).filter(Boolean),
    });
    done.textContent = `${t("created")}: ${created.doctorId}`;
    c.password.value = "";
  });
  return form;
}

function roleForm() {
  const email = input("email", { autocomplete: "off" });
  const roleSelect = h("select", {}, ...["patient", "doctor", "admin"].map((r) => h("option", { value: r }, t(`role_${r}` as Parameters<typeof t>[0]))));
  const top = formError(), done = status(), save = h("button", { type: "submit" }, t("change_role"));
  const form = h("form", { class: "card grid", novalidate: true, "aria-labelledby": "role-title" },
    h("h2", { id: "role-title" }, t("change_role")),
    field("email", t("email"), email), field("role", t("role"), roleSelect), top, h("div", { class: "actions" }, save), done);
  submitter(form, save, top, async () => {
    done.textContent = "";
    let user: UserSummary;
    try {
      user = await call<UserSummary>("GET", `/api/admin/users?${new URLSearchParams({ email: email.value.trim() })}`);
    } catch (e) {
      // An unknown email is the email field's problem, said there rather than as a bare "Not Found".
      if (e instanceof ApiError && e.status === 404) throw new ApiError(400, t("fix_errors"), { email: [t("no_such_user")] });
      throw e;
    }
    const changed = await call<UserSummary>("POST", `/api/admin/users/${user.userId}/role`, { role: roleSelect.value });
    done.textContent = `${changed.name} <${changed.email}>: ${t(`role_${changed.role}` as Parameters<typeof t>[0]) ?? changed.role}`;
  });
  return form;
}

function credentialItem(r: CredentialRecord, onDecided: () => void) {
  const reason = h("input", { type: "text", maxlength: "1000" });
  const top = formError();
  const approve = h("button", { type: "button", "aria-label": `${t("approve")}: ${r.licenseNumber}` }, t("approve"));
  const reject = h("button", { type: "submit", class: "secondary", "aria-label": `${t("reject")}: ${r.licenseNumber}` }, t("reject"));
  const form = h("form", { class: "card", novalidate: true, "data-submission": r.id },
    h("p", {}, h("strong", {}, `${r.degree}, ${r.institution} (${r.graduationYear})`)),
    h("p", { class: "muted" }, `${t("license")}: ${r.licenseNumber} · ${r.issuingAuthority} · ${t("doctor_id")}: ${r.doctorId} · ${formatDateTime(r.submittedAt)}`),
    field("reason", t("reject_reason"), reason), top, h("div", { class: "actions" }, approve, reject));
  approve.addEventListener("click", async () => {
    approve.disabled = true;
    try { await call("POST", `/api/admin/credentials/${r.id}/approve`, { reason: null }); onDecided(); }
    catch (e) { top.textContent = e instanceof ApiError ? e.title : t("error_generic"); top.hidden = false; approve.disabled = false; }
  });
  submitter(form, reject, top, async () => {
    await call("POST", `/api/admin/credentials/${r.id}/reject`, { reason: reason.value.trim() || null });
    onDecided();
  });
  return form;
}

export async function adminScreen(): Promise<HTMLElement> {
  const queue = h("div", { class: "stack" });
  const done = status();
  async function loadQueue() {
    const page = await call<CredentialPage>("GET", "/api/admin/credentials?status=pending&page=1&pageSize=50");
    queue.replaceChildren(...page.items.map((r) => credentialItem(r, () => { done.textContent = t("decided"); void loadQueue(); })));
    if (!page.items.length) queue.append(h("p", { class: "muted" }, t("no_pending")));
  }
  const specialties = await call<Specialty[]>("GET", "/api/specialties");
  const doctorBox = h("div", {}, doctorForm(specialties));
  const reloadSpecialties = async () => doctorBox.replaceChildren(doctorForm(await call<Specialty[]>("GET", "/api/specialties")));
  await loadQueue();
  return h("section", { "aria-labelledby": "admin-title" },
    h("h1", { id: "admin-title" }, t("admin_title")),
    h("section", { "aria-labelledby": "queue-title" }, h("h2", { id: "queue-title" }, t("credentials_pending")), done, queue),
    specialtyForm(() => void reloadSpecialties()), doctorBox, roleForm());
}
