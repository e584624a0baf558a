import { ApiError, call, type Schemas } from "../api/client";
import { formatDateTime, setLanguage, setTimeZone, t } from "../i18n";
import { clearErrors, field, h, showErrors } from "../ui";

type Profile = Schemas["PatientProfile"];
const sexes = ["female", "male", "intersex", "unknown"] as const;
const bloodTypes = ["A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-"];

export async function loadProfile(): Promise<Profile> {
  const profile = await call<Profile>("GET", "/api/patients/me/profile");
  applyPreferences(profile);
  return profile;
}

/** Returns true when the language changed, so the caller re-renders in it. */
export function applyPreferences(profile: Profile): boolean {
  setTimeZone(profile.timeZone);
  return setLanguage(profile.preferredLanguage);
}

function text(value: string | null | undefined, type = "text", extra: Record<string, string> = {}) {
  return h("input", { type, value: value ?? "", ...extra });
}

function select(value: string | null | undefined, options: { value: string; label: string }[]) {
  const el = h("select", {}, h("option", { value: "" }, t("not_set")),
    ...options.map((o) => h("option", { value: o.value, selected: o.value === value }, o.label)));
  return el;
}

function lines(value: string[] | null | undefined) {
  const el = h("textarea", { rows: "3" });
  el.value = (value ?? []).join("\n");
  return el;
}

const orNull = (s: string) => (s.trim() === "" ? null : s.trim());
const list = (s: string) => { const items = s.split("\n").map((x) => x.trim()).filter(Boolean); return items.length ? items : null; };
const num = (s: string) => (s.trim() === "" ? null : Number(s));

export function profileScreen(profile: Profile, rerender: () => void): HTMLElement {
  const c = {
    firstName: text(profile.firstName, "text", { autocomplete: "given-name" }),
    lastName: text(profile.lastName, "text", { autocomplete: "family-name" }),
    birthDate: text(profile.birthDate, "date", { autocomplete: "bday" }),
    sex: select(profile.sex, sexes.map((s) => ({ value: s, label: t(`sex_${s}`) }))),
    phone: text(profile.phone, "tel", { autocomplete: "tel", inputmode: "tel" }),
    nationalId: text(profile.nationalId),
    heightCm: text(profile.heightCm?.toString(), "number", { step: "any", inputmode: "decimal" }),
    weightKg: text(profile.weightKg?.toString(), "number", { step: "any", inputmode: "decimal" }),
    bloodType: select(profile.bloodType, bloodTypes.map((b) => ({ value: b, label: b }))),
    allergies: lines(profile.allergies),
    conditions: lines(profile.conditions),
    dietaryPreferences: lines(profile.dietaryPreferences),
    preferredLanguage: select(profile.preferredLanguage, [{ value: "en", label: "English" }, { value: "es", label: "Español" }]),
    timeZone: text(profile.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone),
    country: text(profile.country, "text", { autocomplete: "country", maxlength: "2" }),
  };
  const status = h("p", { class: "notice", role: "status", "aria-live": "polite" });
  const top = h("p", { class: "form-error", role: "alert", hidden: true });
  const save = h("button", { type: "submit" }, t("profile_save"));
  const form = h("form", { class: "card grid", novalidate: true },
    ...Object.entries(c).map(([name, control]) => field(name, t(name as Parameters<typeof t>[0]), control)),
    top, h("div", { class: "actions" }, save), status);

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    top.hidden = true;
    status.textContent = "";
    save.disabled = true;
    // PUT replaces the whole profile: what this screen does not edit yet (medications, emergency contact) goes back as it came.
    const body: Profile = {
      ...profile,
      firstName: orNull(c.firstName.value), lastName: orNull(c.lastName.value), birthDate: orNull(c.birthDate.value),
      sex: orNull(c.sex.value), phone: orNull(c.phone.value), nationalId: orNull(c.nationalId.value),
      heightCm: num(c.heightCm.value), weightKg: num(c.weightKg.value), bloodType: orNull(c.bloodType.value),
      allergies: list(c.allergies.value), conditions: list(c.conditions.value), dietaryPreferences: list(c.dietaryPreferences.value),
      preferredLanguage: orNull(c.preferredLanguage.value), timeZone: orNull(c.timeZone.value), country: orNull(c.country.value)?.toUpperCase() ?? null,
    };
    delete body.updatedAt;
    try {
      const saved = await call<Profile>("PUT", "/api/patients/me/profile", body);
      Object.assign(profile, saved);
      if (applyPreferences(saved)) { rerender(); return; }
      status.textContent = `${t("profile_saved")} ${t("profile_updated")}: ${formatDateTime(saved.updatedAt)}`;
    } catch (e) {
      if (e instanceof ApiError && Object.keys(e.errors).length) {
        const left = showErrors(form, e.errors);
        top.textContent = left.length ? `${t("fix_errors")} ${left.join("; ")}` : t("fix_errors");
      } else {
        top.textContent = e instanceof ApiError ? e.title : t("error_generic");
      }
      top.hidden = false;
    } finally {
      save.disabled = false;
    }
  });

  return h("section", { "aria-labelledby": "profile-title" },
    h("h1", { id: "profile-title" }, t("profile_title")),
    profile.updatedAt ? h("p", { class: "muted" }, `${t("profile_updated")}: ${formatDateTime(profile.updatedAt)}`) : null,
    form);
}
