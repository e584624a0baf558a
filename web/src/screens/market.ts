import type { HubConnection } from "@microsoft/signalr";
import { accessToken, ApiError, call, userId, type Schemas } from "../api/client";
import { formatDateTime, t } from "../i18n";
import { connect, start } from "../live";
import { navigate } from "../router";
import { field, h, showErrors } from "../ui";
import { withZoneOffset, zoneNow } from "./health";

type AuctionEvent = Schemas["AuctionEvent"];
type AuctionView = Schemas["AuctionView"];
type AuctionSummary = Schemas["AuctionSummary"];
type Bid = Schemas["Bid"];
type Appointment = Schemas["AppointmentView"];

// The market screens hold live connections only while shown; leaving the screen (or signing out) stops them.
let live: HubConnection[] = [];
let ticker: number | undefined;

export async function stopMarket() {
  window.clearInterval(ticker);
  const current = live;
  live = [];
  await Promise.all(current.map((c) => c.stop()));
}

/** The role claim of the access token; the Api checks it again on every call, this only picks the screen. */
async function role(): Promise<string> {
  try {
    const payload = (await accessToken()).split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return (JSON.parse(atob(payload)) as { role?: string }).role ?? "patient";
  } catch {
    return "patient";
  }
}

// Keys built from an Api value (a status) are checked by the dictionary types only at runtime.
const tk = (key: string) => t(key as Parameters<typeof t>[0]);

function money(amount: number | null | undefined, currency: string): string {
  if (amount === null || amount === undefined) return t("market_no_max");
  try { return new Intl.NumberFormat(document.documentElement.lang, { style: "currency", currency }).format(amount); } catch { return `${amount} ${currency}`; }
}

// The patient types local times in their profile's zone; the Api gets them with that zone's offset (health.ts).

async function profileZone(): Promise<string> {
  try {
    const profile = await call<{ timeZone?: string | null }>("GET", "/api/patients/me/profile");
    if (profile.timeZone) { new Intl.DateTimeFormat("en", { timeZone: profile.timeZone }); return profile.timeZone; }
  } catch { /* no profile yet, or an unknown zone: the browser's */ }
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** /market: the patient's requests, or the doctor's board; /market/{id}: one auction, live. */
export async function marketScreen(path: string): Promise<HTMLElement> {
  await stopMarket();
  const id = path.split("/")[2];
  const who = await role();
  if (id) return auctionScreen(id, who);
  return who === "doctor" ? doctorBoard() : patientMarket();
}

// ---- patient: post a request, list own requests ----

async function patientMarket(): Promise<HTMLElement> {
  const zone = await profileZone();
  const input = (attrs: Record<string, string | boolean>) => h("input", attrs);
  const symptoms = h("textarea", { rows: "3", required: true, maxlength: "2000" });
  const specialties = await call<Schemas["Specialty"][]>("GET", "/api/specialties").catch(() => [] as Schemas["Specialty"][]);
  // Left empty, the Api picks the specialty from the symptoms.
  const specialtyId = h("select", {}, h("option", { value: "" }, t("market_specialty_auto")),
    ...specialties.map((sp) => h("option", { value: sp.id }, sp.name)));
  const maxPrice = input({ type: "number", min: "1", step: "0.01", inputmode: "decimal" });
  const currency = input({ type: "text", value: "EUR", maxlength: "3", required: true, autocomplete: "off" });
  const windowFrom = input({ type: "datetime-local", required: true, value: zoneNow(zone, 120) });
  const windowTo = input({ type: "datetime-local", required: true, value: zoneNow(zone, 72 * 60) });
  const closesAt = input({ type: "datetime-local", required: true, value: zoneNow(zone, 60) });
  const formError = h("p", { class: "form-error", role: "alert", hidden: true });
  const form = h("form", { class: "card grid", novalidate: true },
    field("symptoms", t("market_symptoms"), symptoms), field("specialtyId", t("market_specialty"), specialtyId), field("maxPrice", t("market_max_price"), maxPrice),
    field("currency", t("market_currency"), currency), field("windowFrom", `${t("market_window_from")} (${zone})`, windowFrom),
    field("windowTo", `${t("market_window_to")} (${zone})`, windowTo), field("closesAt", `${t("market_closes_at")} (${zone})`, closesAt),
    formError, h("div", { class: "actions" }, h("button", { type: "submit" }, t("market_post"))));

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    formError.hidden = true;
    const body = {
      symptoms: symptoms.value.trim(),
      specialtyId: specialtyId.value || null,
      maxPrice: maxPrice.value === "" ? null : Number(maxPrice.value),
      currency: currency.value.trim().toUpperCase(),
      window: { from: withZoneOffset(windowFrom.value, zone), to: withZoneOffset(windowTo.value, zone) },
      closesAt: withZoneOffset(closesAt.value, zone),
    };
    try {
      const created = await call<AuctionView>("POST", "/api/auctions", body);
      navigate(`/market/${created.id}`);
    } catch (e) {
      if (e instanceof ApiError && Object.keys(e.errors).length > 0) {
        // The Api names the window's ends "window.from" and "window.to"; here they are two fields of their own.
        const errors = Object.fromEntries(Object.entries(e.errors).map(([k, v]) =>
          [k === "window.from" ? "windowFrom" : k === "window.to" ? "windowTo" : k, v]));
        const left = showErrors(form, errors);
        formError.textContent = [t("fix_errors"), ...left].join(" ");
      } else {
        formError.textContent = e instanceof Error ? e.message : t("error_generic");
      }
      formError.hidden = false;
    }
  });

  const mine = await call<AuctionSummary[]>("GET", "/api/auctions?page=1&pageSize=20");
  const list = h("ul", { class: "auctions" }, ...(mine.length === 0 ? [h("li", { class: "muted" }, t("market_none"))] : mine.map((a) =>
    h("li", { "data-auction": a.id },
      h("a", { href: `/market/${a.id}`, "data-link": true }, `${formatDateTime(a.windowFrom)} – ${formatDateTime(a.windowTo)}`),
      h("span", { class: "muted small" }, ` · ${tk(`market_status_${a.status}`)} · ${a.bidCount} ${t("market_bids")} · ${t("market_closes")} ${formatDateTime(a.closesAt)}`)))));

  return h("section", { "aria-labelledby": "market-title" },
    h("h1", { id: "market-title" }, t("market_title")),
    h("h2", {}, t("market_new")), form,
    h("div", { class: "card" }, h("h2", {}, t("market_mine")), list));
}

// ---- doctor: open auctions of the specialty, live; own appointments ----

async function doctorBoard(): Promise<HTMLElement> {
  const openList = h("ul", { class: "auctions", "aria-live": "polite", "aria-label": t("market_open") });
  const appointments = h("ul", { class: "auctions", "aria-label": t("market_appointments") });
  const section = h("section", { "aria-labelledby": "market-title", class: "doctor-board" },
    h("h1", { id: "market-title" }, t("market_title")),
    h("div", { class: "card" }, h("h2", {}, t("market_open")), openList),
    h("div", { class: "card" }, h("h2", {}, t("market_appointments")), appointments));

  async function loadOpen() {
    try {
      const open = await call<AuctionSummary[]>("GET", "/api/auctions/open?page=1&pageSize=50");
      openList.replaceChildren(...(open.length === 0 ? [h("li", { class: "muted" }, t("market_none_open"))] : open.map((a) =>
        h("li", { "data-auction": a.id },
          h("a", { href: `/market/${a.id}`, "data-link": true }, `${formatDateTime(a.windowFrom)} – ${formatDateTime(a.windowTo)}`),
          h("span", { class: "muted small" }, ` · ${t("market_max_price")}: ${money(a.maxPrice, a.currency)} · ${a.bidCount} ${t("market_bids")} · ${t("market_closes")} ${formatDateTime(a.closesAt)}`)))));
    } catch { /* keeps what it shows; the next notification or reconnect reads again */ }
  }

  async function loadAppointments() {
    try {
      const items = await call<Schemas["AppointmentSummary"][]>("GET", "/api/doctors/me/appointments?page=1&pageSize=20");
      appointments.replaceChildren(...(items.length === 0 ? [h("li", { class: "muted" }, t("market_no_appointments"))] : items.map((a) => {
        const status = h("span", { class: "status" }, tk(`market_appt_${a.status}`));
        const li = h("li", { "data-appointment": a.id }, h("strong", {}, formatDateTime(a.start)), " · ", status);
        if (a.status === "booked") {
          const error = h("span", { class: "form-error", role: "alert" });
          const action = (label: string, verb: string) => {
            const b = h("button", { type: "button", class: "secondary" }, label);
            b.addEventListener("click", async () => {
              try { await call("POST", `/api/appointments/${a.id}/${verb}`, {}); await loadAppointments(); } catch (e) { error.textContent = e instanceof Error ? e.message : t("error_generic"); }
            });
            return b;
          };
          li.append(h("div", { class: "actions" }, action(t("market_complete"), "complete"), action(t("market_no_show"), "no-show")), error);
        }
        return li;
      })));
    } catch { /* shown on the next load */ }
  }

  // Its own notification connection: the bell's is shared by every screen, this one lives and dies with the board.
  const hub = connect("/hubs/notifications");
  live.push(hub);
  hub.on("notification", (n: Schemas["Notification"]) => {
    if (n.kind === "auction.opened") void loadOpen();
    else void loadAppointments();
  });
  // What opened while the connection was away is only found by reading again.
  hub.onreconnected(() => { void loadOpen(); void loadAppointments(); });
  const mark = () => { section.dataset.live = hub.state; };
  hub.onreconnecting(mark);
  hub.onreconnected(mark);
  hub.onclose(mark);
  void start(hub).then(mark);
  await Promise.all([loadOpen(), loadAppointments()]);
  return section;
}

// ---- one auction, live over /hubs/marketplace ----

/** Ratings run 1-5, so an average of 0 means nobody has rated the doctor yet: "(0.0)" would read as a bad doctor. */
export function ratingText(rating: number): string {
  return rating > 0 ? rating.toFixed(1) : t("market_unrated");
}

/** Price, then the doctor's rating, then who bid first: the Api's own ranking, kept as events arrive. */
function rank(bids: Iterable<Bid>): Bid[] {
  return [...bids].sort((a, b) => a.price - b.price || b.doctorRating - a.doctorRating || a.order - b.order);
}

async function auctionScreen(id: string, who: string): Promise<HTMLElement> {
  const view = await call<AuctionView>("GET", `/api/auctions/${id}`);
  const me = userId();
  const bids = new Map<string, Bid>();
  let closesAt = view.closesAt;
  let status = view.status;
  let applied = 0;
  const pending = new Map<number, AuctionEvent>();
  let catching: Promise<void> | null = null;
  let again = false;

  const countdown = h("p", { class: "countdown", "data-closes-at": closesAt, role: "timer", "aria-live": "off" });
  const statusLine = h("p", { class: "status-line", role: "status" });
  const list = h("ol", { class: "bids", "aria-live": "polite", "aria-label": t("market_bids_title") });
  const outcome = h("div", { class: "outcome" });
  const error = h("p", { class: "form-error", role: "alert", hidden: true });
  const section = h("section", { class: "auction", "aria-labelledby": "auction-title", "data-auction": id });

  function tick() {
    const left = Math.max(0, new Date(closesAt).getTime() - Date.now());
    const s = Math.floor(left / 1000);
    const text = s >= 3600 ? `${Math.floor(s / 3600)}h ${String(Math.floor(s / 60) % 60).padStart(2, "0")}m` :
      `${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
    countdown.textContent = status === "open" ? `${t("market_closes_in")} ${text} (${formatDateTime(closesAt)})` : `${t("market_closed_at")} ${formatDateTime(closesAt)}`;
    countdown.dataset.closesAt = closesAt;
  }

  function apply(e: AuctionEvent) {
    if (e.previousBidId) bids.delete(e.previousBidId);
    if (e.type === "BidPlaced" || e.type === "BidReplaced") { if (e.bid) bids.set(e.bid.id, e.bid); }
    else if (e.type === "BidWithdrawn" && e.bid) bids.delete(e.bid.id);
    closesAt = e.closesAt;
    status = e.status;
  }

  // Events are applied strictly in seq order, each once: a push that is ahead of what we hold waits in `pending`
  // while the missing ones are read back, and anything at or below `applied` is a duplicate and dropped.
  function drain() {
    while (pending.has(applied + 1)) {
      apply(pending.get(applied + 1)!);
      pending.delete(applied + 1);
      applied++;
    }
    for (const seq of pending.keys()) if (seq <= applied) pending.delete(seq);
    render();
  }

  // A catch-up asked for while one is running cannot simply join it: that one's read may have been sent before
  // the event that prompted the new request was stored. So it runs one more round when it is done.
  function catchUp(): Promise<void> {
    if (catching) { again = true; return catching; }
    catching = (async () => {
      try {
        do {
          again = false;
          for (;;) {
            const page = await call<AuctionEvent[]>("GET", `/api/auctions/${id}/events?afterSeq=${applied}&limit=500`);
            for (const e of page) if (e.seq > applied) pending.set(e.seq, e);
            drain();
            if (page.length < 500) break;
          }
        } while (again);
      } finally { catching = null; }
    })();
    return catching;
  }

  function receive(e: AuctionEvent) {
    if (e.auctionId !== id || e.seq <= applied) return;
    pending.set(e.seq, e);
    drain();
    if (pending.size > 0) void catchUp();
  }

  function render() {
    section.dataset.seq = String(applied);
    tick();
    statusLine.textContent = `${t("market_status")}: ${tk(`market_status_${status}`)}`;
    const ranked = rank(bids.values());
    list.replaceChildren(...(ranked.length === 0 ? [h("li", { class: "muted" }, t("market_no_bids"))] : ranked.map((b, i) => {
      const li = h("li", { class: `bid${b.doctorId === me ? " mine" : ""}`, "data-bid": b.id },
        h("strong", { class: "bid-price" }, money(b.price, view.currency)), " · ",
        h("span", { class: "bid-doctor" }, b.doctorName), ` (${ratingText(b.doctorRating)}) · `,
        h("span", {}, formatDateTime(b.slotStart)),
        b.message ? h("p", { class: "muted small" }, b.message) : null);
      if (who === "patient" && view.patientId === me && (status === "open" || status === "closed")) {
        const accept = h("button", { type: "button", "aria-label": `${t("market_accept")} ${i + 1}: ${b.doctorName}, ${money(b.price, view.currency)}` }, t("market_accept"));
        accept.addEventListener("click", () => showPayment(b));
        li.append(h("div", { class: "actions" }, accept));
      }
      if (who === "doctor" && b.doctorId === me && status === "open") {
        const withdraw = h("button", { type: "button", class: "secondary" }, t("market_withdraw"));
        withdraw.addEventListener("click", async () => {
          try { await call("DELETE", `/api/auctions/${id}/bids/${b.id}`); } catch (e) { fail(e); }
        });
        li.append(h("div", { class: "actions" }, withdraw));
      }
      return li;
    })));
  }

  function fail(e: unknown) {
    error.textContent = e instanceof Error ? e.message : t("error_generic");
    error.hidden = false;
  }

  function showAppointment(a: Appointment) {
    outcome.replaceChildren(h("div", { class: "card appointment", role: "status", "data-appointment": a.id },
      h("h2", {}, t("market_appointment")),
      h("p", {}, `${a.doctorName} · ${formatDateTime(a.start)} · ${money(a.price.amount, a.price.currency)}`),
      h("p", { class: "muted small" }, `${t("market_status")}: ${tk(`market_appt_${a.status}`)}`)));
  }

  function showPayment(b: Bid) {
    // One key per chosen bid: pressing "Pay" twice (or again after a network error) cannot book twice.
    const key = crypto.randomUUID();
    const input = (attrs: Record<string, string | boolean>) => h("input", attrs);
    const cardNumber = input({ inputmode: "numeric", autocomplete: "cc-number", required: true, maxlength: "23" });
    const expMonth = input({ type: "number", min: "1", max: "12", autocomplete: "cc-exp-month", required: true });
    const expYear = input({ type: "number", min: "2000", max: "2100", autocomplete: "cc-exp-year", required: true });
    const cvc = input({ inputmode: "numeric", autocomplete: "cc-csc", required: true, maxlength: "4" });
    const holderName = input({ autocomplete: "cc-name", required: true, maxlength: "100" });
    const formError = h("p", { class: "form-error", role: "alert", hidden: true });
    const form = h("form", { class: "card grid payment", novalidate: true, "aria-label": t("market_pay_title") },
      h("h2", {}, `${t("market_pay_title")}: ${b.doctorName}, ${money(b.price, view.currency)}`),
      field("cardNumber", t("market_card_number"), cardNumber), field("holderName", t("market_card_holder"), holderName),
      field("expMonth", t("market_card_exp_month"), expMonth), field("expYear", t("market_card_exp_year"), expYear), field("cvc", t("market_card_cvc"), cvc),
      formError, h("div", { class: "actions" }, h("button", { type: "submit" }, t("market_pay"))));
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      formError.hidden = true;
      const payment = { cardNumber: cardNumber.value.replace(/\s/g, ""), expMonth: Number(expMonth.value) || null, expYear: Number(expYear.value) || null, cvc: cvc.value, holderName: holderName.value.trim() };
      try {
        const response = await fetchAccept(b.id, payment, key);
        showAppointment(response);
      } catch (e) {
        if (e instanceof ApiError && Object.keys(e.errors).length > 0) {
          const errors = Object.fromEntries(Object.entries(e.errors).map(([k, v]) => [k.replace(/^payment\./, ""), v]));
          formError.textContent = [t("fix_errors"), ...showErrors(form, errors)].join(" ");
        } else formError.textContent = e instanceof Error ? e.message : t("error_generic");
        formError.hidden = false;
      }
    });
    outcome.replaceChildren(form);
    cardNumber.focus();
  }

  async function fetchAccept(bidId: string, payment: object, key: string): Promise<Appointment> {
    // call() has no header parameter; the Idempotency-Key is this endpoint's alone.
    const response = await fetch(`/api/auctions/${id}/accept`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json", Authorization: `Bearer ${await accessToken()}`, "Idempotency-Key": key },
      body: JSON.stringify({ bidId, payment }),
    });
    const body = await response.json().catch(() => ({})) as Appointment & { title?: string; detail?: string; errors?: Record<string, string[]> };
    if (!response.ok) throw new ApiError(response.status, body.detail ?? body.title ?? response.statusText, body.errors ?? {});
    return body;
  }

  section.append(
    h("h1", { id: "auction-title" }, t("market_auction")),
    h("div", { class: "card" },
      h("p", {}, view.symptoms),
      h("p", { class: "muted small" }, `${t("market_window")}: ${formatDateTime(view.windowFrom)} – ${formatDateTime(view.windowTo)} · ${t("market_max_price")}: ${money(view.maxPrice, view.currency)}`),
      statusLine, countdown),
    h("div", { class: "card" }, h("h2", {}, t("market_bids_title")), list, error),
    outcome);
  if (who === "doctor") section.append(await bidForm(view));
  if (view.appointmentId) {
    try { showAppointment(await call<Appointment>("GET", `/api/appointments/${view.appointmentId}`)); } catch { /* not this caller's to see */ }
  }

  const hub = connect("/hubs/marketplace");
  live.push(hub);
  for (const type of ["BidPlaced", "BidReplaced", "BidWithdrawn", "AuctionExtended", "AuctionClosed", "AuctionExpired"]) hub.on(type, receive);
  // A new connection is a new watcher: watch again, then read everything after the last event applied.
  const watch = async () => {
    try {
      const last = await hub.invoke<number>("WatchAuction", id);
      if (last > applied) await catchUp();
    } catch (e) { fail(e); }
    section.dataset.live = hub.state;
  };
  hub.onreconnecting(() => { section.dataset.live = hub.state; });
  hub.onreconnected(() => void watch());
  hub.onclose(() => { section.dataset.live = hub.state; });
  await start(hub);
  await watch();
  render();
  ticker = window.setInterval(tick, 1000);
  return section;
}

async function bidForm(view: AuctionView): Promise<HTMLElement> {
  const me = userId()!;
  let slots: Schemas["Slot"][] = [];
  try {
    const free = await call<Schemas["FreeSlots"]>("GET",
      `/api/doctors/${me}/slots?from=${encodeURIComponent(view.windowFrom)}&to=${encodeURIComponent(view.windowTo)}`);
    slots = free.slots.slice(0, 200);
  } catch { /* no slots to offer: the form says so through the Api's answer */ }
  const price = h("input", { type: "number", min: "1", step: "0.01", required: true, inputmode: "decimal" });
  const slot = h("select", { required: true }, ...slots.map((s) => h("option", { value: s.start }, formatDateTime(s.start))));
  const message = h("textarea", { rows: "2", maxlength: "500" });
  const formError = h("p", { class: "form-error", role: "alert", hidden: true });
  const notice = h("p", { class: "notice", role: "status" });
  const form = h("form", { class: "card grid bid-form", novalidate: true, "aria-labelledby": "bid-title" },
    h("h2", { id: "bid-title" }, t("market_your_bid")),
    field("price", `${t("market_price")} (${view.currency})`, price), field("slotStart", t("market_slot"), slot),
    field("message", t("market_message"), message), formError, notice,
    h("div", { class: "actions" }, h("button", { type: "submit" }, t("market_place_bid"))));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    formError.hidden = true;
    notice.textContent = "";
    try {
      await call("POST", `/api/auctions/${view.id}/bids`, { price: price.value === "" ? null : Number(price.value), slotStart: slot.value || null, message: message.value.trim() || null });
      notice.textContent = t("market_bid_placed");
    } catch (e) {
      if (e instanceof ApiError && Object.keys(e.errors).length > 0) {
        formError.textContent = [t("fix_errors"), ...showErrors(form, e.errors)].join(" ");
        formError.hidden = false;
      } else { formError.textContent = e instanceof Error ? e.message : t("error_generic"); formError.hidden = false; }
    }
  });
  return form;
}
