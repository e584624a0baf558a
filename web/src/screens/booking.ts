import { ApiError, call, type Schemas } from "../api/client";
import { formatDateTime, lang, t, viewTimeZone } from "../i18n";
import { navigate } from "../router";
import { clearErrors, field, h, showErrors } from "../ui";

type Orientation = Schemas["OrientationResult"];
type Specialty = Schemas["Specialty"];
type Doctor = Schemas["DoctorProfile"];
type DoctorPage = Schemas["DoctorPage"];
type Reviews = Schemas["DoctorReviewPage"];
type FreeSlots = Schemas["FreeSlots"];
type Appointment = Schemas["AppointmentView"];
type Summary = Schemas["AppointmentSummary"];
type Money = Schemas["Money"];

const pageSize = 10;

function money(m: Money | undefined): string {
  if (!m) return "";
  try { return new Intl.NumberFormat(lang(), { style: "currency", currency: m.currency }).format(m.amount); } catch { return `${m.amount} ${m.currency}`; }
}

function problemText(e: unknown): string {
  return e instanceof ApiError ? e.title : t("error_generic");
}

function alertBox() {
  return h("p", { class: "form-error", role: "alert", hidden: true });
}

function say(box: HTMLElement, text: string) {
  box.textContent = text;
  box.hidden = false;
}

// ---- orientation ----

export function orientationScreen(): HTMLElement {
  const symptoms = h("textarea", { rows: "4", required: true, maxlength: "4000" });
  const age = h("input", { type: "number", min: "0", max: "130", inputmode: "numeric" });
  const top = alertBox();
  const result = h("div", { "aria-live": "polite" });
  const submit = h("button", { type: "submit" }, t("orient_submit"));
  const form = h("form", { class: "card", novalidate: true },
    field("symptoms", t("orient_symptoms"), symptoms), field("age", t("orient_age"), age), top,
    h("div", { class: "actions" }, submit));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    top.hidden = true;
    submit.disabled = true;
    try {
      const answer = await call<Orientation>("POST", "/api/orientation",
        { symptoms: symptoms.value, age: age.value.trim() === "" ? null : Number(age.value), sex: null });
      result.replaceChildren(orientationResult(answer));
    } catch (e) {
      const left = e instanceof ApiError ? showErrors(form, e.errors) : [];
      if (!(e instanceof ApiError) || !Object.keys(e.errors).length || left.length) say(top, left.length ? left.join("; ") : problemText(e));
    } finally {
      submit.disabled = false;
    }
  });
  return h("section", { "aria-labelledby": "orient-title" },
    h("h1", { id: "orient-title" }, t("orient_title")),
    h("p", { class: "muted" }, t("orient_disclaimer")),
    form, result);
}

function orientationResult(r: Orientation): HTMLElement {
  // An emergency comes first and as an alert: the specialty is secondary when someone should call for help now.
  const emergency = r.emergency
    ? h("div", { class: "emergency-alert", role: "alert" },
      h("strong", { class: "emergency-label" }, t("emergency")),
      h("p", {}, r.guidance ?? t("orient_emergency")),
      r.redFlags.length ? h("p", {}, `${t("orient_red_flags")}: ${r.redFlags.join(", ")}`) : null)
    : null;
  const doctorsLink = r.specialtyId
    ? h("a", { href: `/doctors?specialtyId=${encodeURIComponent(r.specialtyId)}`, "data-link": true }, `${t("orient_see_doctors")}: ${r.specialty}`)
    : null;
  return h("div", { class: "orientation-result" }, emergency,
    h("div", { class: "card" },
      h("h2", {}, `${t("orient_specialty")}: ${r.specialty}`),
      h("p", {}, `${t("orient_confidence")}: ${Math.round(r.confidence * 100)} %`),
      r.alternatives.length
        ? h("p", {}, `${t("orient_alternatives")}: ${r.alternatives.map((a) => `${a.specialty} (${Math.round(a.confidence * 100)} %)`).join(", ")}`)
        : null,
      r.guidance && !r.emergency ? h("p", {}, r.guidance) : null,
      doctorsLink));
}

// ---- doctors ----

let specialtiesCache: Specialty[] | undefined;
async function specialties(): Promise<Specialty[]> {
  specialtiesCache ??= await call<Specialty[]>("GET", "/api/specialties");
  return specialtiesCache;
}

export async function doctorsScreen(): Promise<HTMLElement> {
  const query = new URLSearchParams(location.search);
  const all = await specialties();
  const specialty = h("select", {}, h("option", { value: "" }, t("doctors_any")),
    ...all.map((s) => h("option", { value: s.id, selected: s.id === query.get("specialtyId") }, s.name)));
  const minRating = h("input", { type: "number", min: "0", max: "5", step: "0.5", inputmode: "decimal", value: query.get("minRating") ?? "" });
  const maxPrice = h("input", { type: "number", min: "0", step: "any", inputmode: "decimal", value: query.get("maxPrice") ?? "" });
  const language = h("input", { type: "text", maxlength: "12", value: query.get("language") ?? "" });
  const sort = h("select", {}, ...(["rating", "price", "experience"] as const).map((s) =>
    h("option", { value: s, selected: s === (query.get("sort") ?? "rating") }, t(`sort_${s}`))));
  const top = alertBox();
  const form = h("form", { class: "card grid filters", novalidate: true },
    field("specialtyId", t("doctors_specialty"), specialty), field("minRating", t("doctors_min_rating"), minRating),
    field("maxPrice", t("doctors_max_price"), maxPrice), field("language", t("doctors_language"), language),
    field("sort", t("doctors_sort"), sort), top, h("div", { class: "actions" }, h("button", { type: "submit" }, t("doctors_filter"))));
  const page = Math.max(1, Number(query.get("page") ?? "1") || 1);

  // The filters live in the URL, so a filtered list can be shared, reloaded and reached with the back button.
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const next = new URLSearchParams();
    const put = (k: string, v: string) => { if (v.trim() !== "") next.set(k, v.trim()); };
    put("specialtyId", specialty.value); put("minRating", minRating.value); put("maxPrice", maxPrice.value);
    put("language", language.value); put("sort", sort.value);
    navigate(`/doctors?${next}`);
  });

  const results = h("div", { class: "doctor-results" });
  const api = new URLSearchParams(query);
  api.set("page", String(page));
  api.set("pageSize", String(pageSize));
  try {
    const found = await call<DoctorPage>("GET", `/api/doctors?${api}`);
    const names = new Map(all.map((s) => [s.id, s.name]));
    const pages = Math.max(1, Math.ceil(found.total / pageSize));
    const to = (n: number) => { const q = new URLSearchParams(query); q.set("page", String(n)); return `/doctors?${q}`; };
    results.replaceChildren(
      h("p", { class: "muted", role: "status" }, `${found.total} ${t("doctors_found")} · ${t("page")} ${page}/${pages}`),
      found.items.length
        ? h("ul", { class: "doctor-list" }, ...found.items.map((d) => h("li", { class: "card doctor" },
          h("h2", {}, h("a", { href: `/doctors/${d.doctorId}`, "data-link": true }, d.name ?? "")),
          h("p", {}, [names.get(d.specialtyId ?? "") ?? "", money(d.price), `${d.yearsOfExperience ?? 0} ${t("years")}`].filter(Boolean).join(" · ")),
          h("p", {}, stars(d), d.verified ? h("span", { class: "verified" }, ` ✓ ${t("verified")}`) : null),
          h("p", { class: "muted small" }, `${t("doctors_language")}: ${(d.languages ?? []).join(", ")}`))))
        : h("p", {}, t("doctors_none")),
      h("nav", { class: "pager", "aria-label": t("pages") },
        page > 1 ? h("a", { href: to(page - 1), "data-link": true }, t("previous")) : null,
        page < pages ? h("a", { href: to(page + 1), "data-link": true }, t("next")) : null));
  } catch (e) {
    if (e instanceof ApiError) { const left = showErrors(form, e.errors); if (left.length || !Object.keys(e.errors).length) say(top, left.join("; ") || e.title); }
    else say(top, t("error_generic"));
  }
  return h("section", { "aria-labelledby": "doctors-title" }, h("h1", { id: "doctors-title" }, t("doctors_title")), form, results);
}

function stars(d: Doctor): string {
  return d.ratingCount ? `★ ${(d.rating ?? 0).toFixed(1)} (${d.ratingCount} ${t("ratings")})` : t("no_ratings");
}

// ---- one doctor, its slots and the booking form ----

const dayKey = (iso: string, zone: string) =>
  new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date(iso));
const dayLabel = (iso: string, zone: string) =>
  new Intl.DateTimeFormat(lang(), { timeZone: zone, dateStyle: "full" }).format(new Date(iso));
// 24-hour in every language, so the same slot reads the same in English and Spanish.
const clock = (iso: string, zone: string) =>
  new Intl.DateTimeFormat(lang(), { timeZone: zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(new Date(iso));

export async function doctorScreen(doctorId: string): Promise<HTMLElement> {
  const [doctor, reviews, all] = await Promise.all([
    call<Doctor>("GET", `/api/doctors/${encodeURIComponent(doctorId)}`),
    call<Reviews>("GET", `/api/doctors/${encodeURIComponent(doctorId)}/ratings?pageSize=10`),
    specialties(),
  ]);
  const zone = viewTimeZone();
  const slotsBox = h("div", { class: "slots", "aria-live": "polite" });
  const bookingBox = h("div", {});
  const outcome = h("div", {});
  let chosen: string | undefined;

  async function loadSlots() {
    const free = await call<FreeSlots>("GET", `/api/doctors/${encodeURIComponent(doctorId)}/slots`);
    const days = new Map<string, Schemas["Slot"][]>();
    for (const s of free.slots) {
      const key = dayKey(s.start, zone);
      days.set(key, [...(days.get(key) ?? []), s]);
    }
    if (chosen && !free.slots.some((s) => s.start === chosen)) { chosen = undefined; bookingBox.replaceChildren(); }
    slotsBox.replaceChildren(
      h("p", { class: "muted small" }, `${t("slots_zone")}: ${zone}`),
      ...(days.size === 0 ? [h("p", {}, t("slots_none"))] : [...days.values()].map((slots) => h("div", { class: "slot-day" },
        h("h3", {}, dayLabel(slots[0].start, zone)),
        h("div", { class: "slot-buttons" }, ...slots.map((s) => {
          const b = h("button", { type: "button", class: "secondary slot", "data-start": s.start, "aria-pressed": s.start === chosen ? "true" : "false",
            "aria-label": `${dayLabel(s.start, zone)} ${clock(s.start, zone)}` }, clock(s.start, zone));
          b.addEventListener("click", () => choose(s.start));
          return b;
        }))))));
  }

  function choose(start: string) {
    chosen = start;
    slotsBox.querySelectorAll("button.slot").forEach((b) => b.setAttribute("aria-pressed", String(b.getAttribute("data-start") === start)));
    outcome.replaceChildren();
    bookingBox.replaceChildren(bookingForm(doctor, start, zone, async (booked) => {
      chosen = undefined;
      bookingBox.replaceChildren();
      outcome.replaceChildren(h("div", { class: "card booked", role: "status" },
        h("h2", {}, t("booked_title")),
        h("p", {}, `${booked.doctorName} · ${dayLabel(booked.start, zone)} ${clock(booked.start, zone)} (${zone})`),
        h("p", {}, `${t("paid")}: ${money(booked.price)} · ${t("status")}: ${t(`status_${booked.status}`)}`),
        h("a", { href: "/appointments", "data-link": true }, t("appointments_title"))));
      await loadSlots();
    }, loadSlots));
    bookingBox.querySelector<HTMLElement>("textarea")?.focus();
  }

  await loadSlots();
  const specialtyName = all.find((s) => s.id === doctor.specialtyId)?.name ?? "";
  return h("section", { "aria-labelledby": "doctor-title" },
    h("h1", { id: "doctor-title" }, doctor.name ?? ""),
    h("div", { class: "card" },
      h("p", {}, [specialtyName, money(doctor.price), `${doctor.yearsOfExperience ?? 0} ${t("years")}`].filter(Boolean).join(" · ")),
      h("p", { class: "doctor-rating" }, stars(doctor)),
      h("p", {}, doctor.verified ? `✓ ${t("verified")}` : t("not_verified")),
      doctor.bio ? h("p", {}, doctor.bio) : null,
      h("p", { class: "muted small" }, `${t("doctors_language")}: ${(doctor.languages ?? []).join(", ")}`)),
    // A week of slots is a long list on a phone: the form and the outcome sit above it, seen without scrolling.
    h("h2", { class: "section-title" }, t("slots_title")), outcome, bookingBox, slotsBox,
    h("h2", { class: "section-title" }, t("ratings_title")),
    reviews.items.length
      ? h("ul", { class: "reviews" }, ...reviews.items.map((r) => h("li", { class: "card" },
        h("strong", {}, `★ ${r.rating}/5`), " ", h("span", { class: "muted small" }, formatDateTime(r.createdAt)),
        r.comment ? h("p", {}, r.comment) : null)))
      : h("p", {}, t("no_ratings")));
}

function bookingForm(doctor: Doctor, start: string, zone: string, booked: (a: Appointment) => Promise<void>, refresh: () => Promise<void>): HTMLElement {
  const year = new Date().getFullYear();
  const c = {
    reason: h("textarea", { rows: "2", required: true, maxlength: "500" }),
    holderName: h("input", { type: "text", autocomplete: "cc-name", required: true }),
    cardNumber: h("input", { type: "text", autocomplete: "cc-number", inputmode: "numeric", required: true }),
    expMonth: h("input", { type: "number", autocomplete: "cc-exp-month", min: "1", max: "12", inputmode: "numeric", required: true }),
    expYear: h("input", { type: "number", autocomplete: "cc-exp-year", min: String(year), inputmode: "numeric", required: true }),
    cvc: h("input", { type: "text", autocomplete: "cc-csc", inputmode: "numeric", maxlength: "4", required: true }),
  };
  const top = alertBox();
  const pay = h("button", { type: "submit" }, `${t("book_pay")} ${money(doctor.price)}`);
  const form = h("form", { class: "card grid booking", novalidate: true, "aria-labelledby": "booking-title" },
    h("h2", { id: "booking-title" }, `${t("book_title")}: ${dayLabel(start, zone)} ${clock(start, zone)}`),
    h("p", { class: "muted small" }, t("test_cards")),
    ...Object.entries(c).map(([name, control]) => field(name, t(`card_${name}` as Parameters<typeof t>[0]), control)),
    top, h("div", { class: "actions" }, pay));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    top.hidden = true;
    pay.disabled = true;
    const num = (s: string) => (s.trim() === "" ? null : Number(s));
    try {
      const appointment = await book({
        doctorId: doctor.doctorId ?? null, start, reason: c.reason.value,
        payment: { cardNumber: c.cardNumber.value.replace(/[\s-]/g, ""), expMonth: num(c.expMonth.value), expYear: num(c.expYear.value), cvc: c.cvc.value, holderName: c.holderName.value },
      });
      await booked(appointment);
    } catch (e) {
      if (e instanceof ApiError && Object.keys(e.errors).length) {
        // The Api names card fields "payment.cardNumber"; the form's fields are the card's own names.
        const errors = Object.fromEntries(Object.entries(e.errors).map(([k, v]) => [k.replace(/^payment\./, ""), v]));
        const left = showErrors(form, errors);
        say(top, left.length ? `${t("fix_errors")} ${left.join("; ")}` : t("fix_errors"));
      } else {
        // A declined card or a taken slot: the reason as the Api gave it, and the slots read again, since
        // the hold on this slot was released and another may have gone meanwhile.
        say(top, problemText(e));
        await refresh().catch(() => undefined);
      }
    } finally {
      pay.disabled = false;
    }
  });
  return form;
}

/** POST /api/appointments with one Idempotency-Key per press of the button: a second attempt with another card is a new
 * request, not a retry; the silent refresh's retry inside `call` reuses the key, so it cannot book twice. */
function book(body: Schemas["BookingRequest"]): Promise<Appointment> {
  return call<Appointment>("POST", "/api/appointments", body, { headers: { "Idempotency-Key": crypto.randomUUID() } });
}

// ---- my appointments ----

export async function appointmentsScreen(): Promise<HTMLElement> {
  const zone = viewTimeZone();
  const list = await call<Summary[]>("GET", "/api/appointments?pageSize=50");
  const status = h("p", { class: "notice", role: "status", "aria-live": "polite" });
  const top = alertBox();
  const when = (iso: string) => `${dayLabel(iso, zone)} ${clock(iso, zone)}`;
  const items = list.map((a) => {
    const state = h("span", { class: "appt-status" }, t(`status_${a.status}`));
    const li = h("li", { class: "card appointment", "data-id": a.id }, h("strong", {}, when(a.start)), " · ", state);
    if (a.status === "booked") {
      const cancel = h("button", { type: "button", class: "secondary", "aria-label": `${t("cancel")}: ${when(a.start)}` }, t("cancel"));
      cancel.addEventListener("click", async () => {
        cancel.disabled = true;
        top.hidden = true;
        try {
          const done = await call<Appointment>("POST", `/api/appointments/${a.id}/cancel`);
          state.textContent = t(`status_${done.status}`);
          cancel.remove();
          // The refund is what the Api says it refunded: full more than 24 h ahead, nothing after.
          status.textContent = `${t("cancelled_refund")}: ${money({ amount: done.refundedAmount, currency: done.price.currency })}`;
        } catch (e) {
          say(top, problemText(e));
          cancel.disabled = false;
        }
      });
      li.append(" ", cancel);
    }
    return li;
  });
  return h("section", { "aria-labelledby": "appointments-title" },
    h("h1", { id: "appointments-title" }, t("appointments_title")),
    h("p", { class: "muted small" }, `${t("slots_zone")}: ${zone}`),
    top, status,
    items.length ? h("ul", { class: "appointments" }, ...items) : h("p", {}, t("appointments_none")),
    h("p", {}, h("a", { href: "/doctors", "data-link": true }, t("doctors_title"))));
}
