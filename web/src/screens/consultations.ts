// Quick consultations: the patient asks and follows the thread; a verified doctor sees open questions live, claims,
// answers and closes. The Api decides every rule; these screens show its answers (field errors at the field, the
// reason of a 403/409 in words).
import type { HubConnection } from "@microsoft/signalr";
import { accessToken, ApiError, call, userId, type Schemas } from "../api/client";
import { formatDateTime, t } from "../i18n";
import { connect, start } from "../live";
import { navigate } from "../router";
import { clearErrors, field, h, showErrors } from "../ui";

type View = Schemas["ConsultationView"];
type Page = Schemas["ConsultationPage"];
type Message = Schemas["ConsultationMessage"];
type Posted = Schemas["ConsultationMessagePosted"];
type Pushed = { consultationId: string; seq: number; message: Message };

// Connections live only while a consultation screen is shown; main.ts stops them on any other screen.
let live: HubConnection[] = [];

export async function stopConsultations() {
  const current = live;
  live = [];
  await Promise.all(current.map((c) => c.stop()));
}

const tk = (key: string) => t(key as Parameters<typeof t>[0]);
const statusText = (s: string) => tk(`consult_status_${s}`);

// The Api's reason codes this screen can meet, in the user's language; any other refusal shows the Api's title.
const reasonKeys: Record<string, string> = {
  AlreadyClaimed: "consult_reason_claimed", ConsultationExpired: "consult_reason_expired", ConsultationClosed: "consult_reason_closed",
  NotClosed: "consult_reason_not_closed", AlreadyRated: "consult_reason_rated", DoctorNotVerified: "consult_not_verified",
};

/** A refusal in words: our translation when the reason is known, else the Api's own title. */
function refusal(e: unknown): string {
  const reason = e instanceof ApiError ? e.reason : undefined;
  if (reason && reason in reasonKeys) return tk(reasonKeys[reason]);
  return e instanceof Error ? e.message : t("error_generic");
}

function emergency(guidance: string): HTMLElement {
  return h("div", { class: "emergency-alert", role: "alert" }, h("strong", { class: "emergency-label" }, t("emergency")), h("p", {}, guidance));
}

/** /consultations: the patient's questions or the doctor's board; /consultations/{id}: one thread, live. */
export async function consultationsScreen(path: string, role: string | null): Promise<HTMLElement> {
  await stopConsultations();
  const id = path.split("/")[2];
  if (id) return threadScreen(id, role);
  return role === "doctor" ? doctorBoard() : patientScreen();
}

// ---- patient: ask, and my consultations ----

async function upload(file: File): Promise<string> {
  // Multipart, so not through call(): the browser writes the boundary into the Content-Type itself.
  const form = new FormData();
  form.append("file", file, file.name);
  const response = await fetch("/api/attachments", { method: "POST", headers: { Authorization: `Bearer ${await accessToken()}`, Accept: "application/json" }, body: form });
  const body = await response.json().catch(() => ({})) as { id?: string; title?: string; detail?: string; errors?: Record<string, string[]> };
  if (!response.ok) throw new ApiError(response.status, body.detail ?? body.title ?? response.statusText, body.errors ?? {});
  return body.id!;
}

async function patientScreen(): Promise<HTMLElement> {
  const specialties = await call<Schemas["Specialty"][]>("GET", "/api/specialties").catch(() => [] as Schemas["Specialty"][]);
  const specialty = h("select", {}, h("option", { value: "" }, t("consult_specialty_auto")),
    ...specialties.map((s) => h("option", { value: s.id }, s.name)));
  const question = h("textarea", { rows: "4", maxlength: "4000" });
  const file = h("input", { type: "file", accept: "image/png,image/jpeg,application/pdf" });
  const top = h("p", { class: "form-error", role: "alert", hidden: true });
  const ask = h("button", { type: "submit" }, t("consult_ask"));
  const form = h("form", { class: "card grid consult-ask", novalidate: true, "aria-labelledby": "consult-ask-title" },
    h("h2", { id: "consult-ask-title" }, t("consult_new")),
    field("question", t("consult_question"), question), field("specialtyId", t("consult_specialty"), specialty),
    field("file", t("consult_attachment"), file), top, h("div", { class: "actions" }, ask));

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    top.hidden = true;
    ask.disabled = true;
    try {
      const chosen = file.files?.[0];
      const attachmentIds = chosen ? [await upload(chosen)] : [];
      const created = await call<View>("POST", "/api/consultations", { question: question.value.trim(), specialtyId: specialty.value || null, attachmentIds });
      navigate(`/consultations/${created.id}`);
    } catch (e) {
      if (e instanceof ApiError && Object.keys(e.errors).length > 0) {
        // The upload's field is "file"; the consultation's "attachmentIds" is the same control here.
        const errors = Object.fromEntries(Object.entries(e.errors).map(([k, v]) => [k.startsWith("attachmentIds") ? "file" : k, v]));
        top.textContent = [t("fix_errors"), ...showErrors(form, errors)].join(" ");
      } else top.textContent = e instanceof Error ? e.message : t("error_generic");
      top.hidden = false;
    } finally {
      ask.disabled = false;
    }
  });

  const mine = await call<Page>("GET", "/api/consultations/mine?page=1&pageSize=20");
  const list = h("ul", { class: "consultations-list plain" }, ...(mine.items.length === 0 ? [h("li", { class: "muted" }, t("consult_none"))] : mine.items.map((c) =>
    h("li", { "data-consultation": c.id },
      h("a", { href: `/consultations/${c.id}`, "data-link": true }, excerpt(c.question)),
      h("span", { class: "muted small" }, ` · ${statusText(c.status)} · ${formatDateTime(c.createdAt)}`)))));

  return h("section", { "aria-labelledby": "consult-title", class: "consult-patient" },
    h("h1", { id: "consult-title" }, t("consult_title")),
    h("p", { class: "muted" }, t("consult_intro")),
    form,
    h("div", { class: "card" }, h("h2", {}, t("consult_mine")), list));
}

function excerpt(text: string): string {
  return text.length > 90 ? `${text.slice(0, 90)}…` : text;
}

// ---- doctor: open questions of my specialty (live), and the ones I took ----

async function doctorBoard(): Promise<HTMLElement> {
  const openList = h("ul", { class: "consultations-list plain", "aria-live": "polite", "aria-label": t("consult_open") });
  const takenList = h("ul", { class: "consultations-list plain", "aria-label": t("consult_taken") });
  const section = h("section", { "aria-labelledby": "consult-title", class: "consult-board" },
    h("h1", { id: "consult-title" }, t("consult_title")));

  try {
    await call<Page>("GET", "/api/consultations/open?page=1&pageSize=1");
  } catch (e) {
    if (e instanceof ApiError && e.status === 403) {
      // An unverified doctor: say why the board is closed and what opens it, rather than an empty list.
      section.append(h("div", { class: "card not-verified", role: "alert" },
        h("h2", {}, t("consult_not_verified_title")), h("p", {}, t("consult_not_verified")), h("p", { class: "muted small" }, e.title)));
      return section;
    }
    throw e;
  }

  function row(c: View, claim: boolean): HTMLElement {
    const li = h("li", { "data-consultation": c.id },
      h("p", { class: "consult-question" }, c.question),
      h("p", { class: "muted small" }, `${statusText(c.status)} · ${formatDateTime(c.createdAt)}${c.attachmentIds.length ? ` · ${c.attachmentIds.length} ${t("consult_attachments")}` : ""}`),
      c.redFlags.length ? h("p", { class: "form-error" }, `${t("consult_red_flags")}: ${c.redFlags.join(", ")}`) : null);
    if (claim) {
      const error = h("p", { class: "form-error", role: "alert", hidden: true });
      const button = h("button", { type: "button", "aria-label": `${t("consult_claim")}: ${excerpt(c.question)}` }, t("consult_claim"));
      button.addEventListener("click", async () => {
        button.disabled = true;
        error.hidden = true;
        try {
          await call<View>("POST", `/api/consultations/${c.id}/claim`);
          navigate(`/consultations/${c.id}`);
        } catch (e) {
          error.textContent = refusal(e);
          error.hidden = false;
          button.disabled = false;
        }
      });
      li.append(h("div", { class: "actions" }, button), error);
    } else {
      li.prepend(h("a", { href: `/consultations/${c.id}`, "data-link": true }, t("consult_open_thread")));
    }
    return li;
  }

  async function loadOpen() {
    try {
      const open = await call<Page>("GET", "/api/consultations/open?page=1&pageSize=50");
      // A row that shows a claim error keeps it: the reload after another doctor's claim must not hide why.
      const failed = new Map([...openList.querySelectorAll<HTMLElement>("li[data-consultation]")]
        .filter((li) => li.querySelector(".form-error[role=alert]:not([hidden])")).map((li) => [li.dataset.consultation!, li]));
      openList.replaceChildren(...(open.items.length === 0 && failed.size === 0 ? [h("li", { class: "muted" }, t("consult_none_open"))]
        : [...failed.values(), ...open.items.filter((c) => !failed.has(c.id)).map((c) => row(c, true))]));
    } catch { /* keeps what it shows; the next notice or reconnect reads again */ }
  }

  // For a doctor the Api's "mine" is the questions they claimed, the latest claim first, whichever browser claimed them.
  async function loadTaken() {
    const mine = await call<Page>("GET", "/api/consultations/mine?page=1&pageSize=20");
    takenList.replaceChildren(...(mine.items.length === 0 ? [h("li", { class: "muted" }, t("consult_none_taken"))] : mine.items.map((c) => row(c, false))));
  }

  section.append(h("div", { class: "card" }, h("h2", {}, t("consult_open")), openList),
    h("div", { class: "card" }, h("h2", {}, t("consult_taken")), takenList));

  // Its own notification connection (the bell's belongs to the header): a new question reloads the open list.
  const hub = connect("/hubs/notifications");
  live.push(hub);
  hub.on("notification", (n: Schemas["Notification"]) => { if (n.kind === "consultation.opened") void loadOpen(); });
  // Questions asked while the connection was away are found only by reading again.
  hub.onreconnected(() => void loadOpen());
  const mark = () => { section.dataset.live = hub.state; };
  hub.onreconnecting(mark);
  hub.onreconnected(mark);
  hub.onclose(mark);
  void start(hub).then(mark);
  await Promise.all([loadOpen(), loadTaken()]);
  return section;
}

// ---- one consultation's thread, live over /hubs/consultations ----

async function threadScreen(id: string, role: string | null): Promise<HTMLElement> {
  let view: View;
  try {
    view = await call<View>("GET", `/api/consultations/${id}`);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return h("section", {}, h("h1", {}, t("consult_title")), h("p", { class: "form-error", role: "alert" }, t("consult_not_found")));
    throw e;
  }
  const me = userId();
  const isDoctor = role === "doctor";
  const shown = new Map<number, Message>();
  const pending = new Map<number, Message>();
  let applied = 0;
  let catching: Promise<void> | null = null;

  const section = h("section", { class: "consult-thread", "aria-labelledby": "thread-title", "data-consultation": id });
  const statusLine = h("p", { class: "status-line", role: "status" });
  const thread = h("ol", { class: "thread log plain", "aria-live": "polite", "aria-label": t("consult_thread") });
  const actions = h("div", {});
  const alerts = h("div", {});
  const composerSlot = h("div", {});

  function bubble(m: Message): HTMLElement {
    const mine = m.authorId === me;
    const who = mine ? t("you") : m.authorRole === "doctor" ? t("consult_doctor") : t("consult_patient");
    return h("li", { class: `msg ${mine ? "user" : "assistant"}`, "data-seq": String(m.seq) },
      h("p", { class: "muted small" }, `${who} · ${formatDateTime(m.at)}`),
      h("p", { class: "msg-text" }, m.text),
      m.attachmentIds.length ? h("p", { class: "muted small" }, `${m.attachmentIds.length} ${t("consult_attachments")}`) : null);
  }

  // Messages are shown strictly in seq order and each once: one ahead of what is shown waits while the gap is read
  // back, and one at or below the last shown is a repeat (a push after the read that already brought it) and dropped.
  function drain() {
    while (pending.has(applied + 1)) {
      const m = pending.get(applied + 1)!;
      pending.delete(applied + 1);
      applied++;
      shown.set(m.seq, m);
      thread.append(bubble(m));
    }
    for (const seq of pending.keys()) if (seq <= applied) pending.delete(seq);
    if (shown.size === 0 && !thread.querySelector(".muted-empty")) thread.append(h("li", { class: "muted muted-empty" }, t("consult_no_messages")));
    if (shown.size > 0) thread.querySelector(".muted-empty")?.remove();
    section.dataset.seq = String(applied);
    thread.scrollTop = thread.scrollHeight;
  }

  function receive(m: Message) {
    if (m.consultationId !== id || m.seq <= applied) return;
    pending.set(m.seq, m);
    drain();
    if (pending.size > 0) void catchUp();
  }

  function catchUp(): Promise<void> {
    catching ??= (async () => {
      try {
        for (;;) {
          const page = await call<Message[]>("GET", `/api/consultations/${id}/messages?afterSeq=${applied}&limit=100`);
          for (const m of page) if (m.seq > applied) pending.set(m.seq, m);
          drain();
          if (page.length < 100) break;
        }
      } finally { catching = null; }
    })();
    return catching;
  }

  function render() {
    section.dataset.status = view.status;
    statusLine.textContent = `${t("status")}: ${statusText(view.status)}${view.closedAt ? ` · ${formatDateTime(view.closedAt)}` : ""}`;
    actions.replaceChildren();
    if (isDoctor && view.status === "claimed" && view.doctorId === me) {
      const close = h("button", { type: "button", class: "secondary" }, t("consult_close"));
      const error = h("p", { class: "form-error", role: "alert", hidden: true });
      close.addEventListener("click", async () => {
        close.disabled = true;
        try { view = await call<View>("POST", `/api/consultations/${id}/close`); render(); } catch (e) { error.textContent = refusal(e); error.hidden = false; close.disabled = false; }
      });
      actions.append(h("div", { class: "actions" }, close), error);
    }
    const writable = view.status === "open" || view.status === "claimed";
    if (!writable) composerSlot.replaceChildren(h("p", { class: "muted" }, view.status === "expired" ? t("consult_expired_note") : t("consult_closed_note")));
    else if (!composerSlot.querySelector("form")) composerSlot.replaceChildren(composer());
    if (!isDoctor && view.status === "closed" && !section.querySelector(".rating-form, .rating-done")) section.append(ratingForm());
  }

  function composer(): HTMLElement {
    const text = h("textarea", { rows: "3", maxlength: "4000" });
    const top = h("p", { class: "form-error", role: "alert", hidden: true });
    const send = h("button", { type: "submit" }, t("send"));
    const form = h("form", { class: "composer", novalidate: true, "aria-label": t("consult_reply") },
      field("text", t("consult_your_message"), text), top, h("div", { class: "actions" }, send));
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      clearErrors(form);
      top.hidden = true;
      send.disabled = true;
      try {
        const posted = await call<Posted>("POST", `/api/consultations/${id}/messages`, { text: text.value.trim() });
        text.value = "";
        // The answer carries the stored message: shown now, and its push (or a catch-up) is then a repeat.
        receive(posted.message);
        if (posted.guidance) alerts.replaceChildren(emergency(posted.guidance));
      } catch (e) {
        if (e instanceof ApiError && Object.keys(e.errors).length > 0) top.textContent = [t("fix_errors"), ...showErrors(form, e.errors)].join(" ");
        else {
          top.textContent = refusal(e);
          // A 409 means the consultation moved on (closed, expired): read it again so the screen says so.
          if (e instanceof ApiError && e.status === 409) void reload();
        }
        top.hidden = false;
      } finally { send.disabled = false; }
    });
    return form;
  }

  function ratingForm(): HTMLElement {
    const rating = h("input", { type: "number", min: "1", max: "5", step: "1", inputmode: "numeric" });
    const comment = h("textarea", { rows: "2", maxlength: "1000" });
    const top = h("p", { class: "form-error", role: "alert", hidden: true });
    const save = h("button", { type: "submit" }, t("consult_rate"));
    const form = h("form", { class: "card grid rating-form", novalidate: true, "aria-labelledby": "rate-title" },
      h("h2", { id: "rate-title" }, t("consult_rate_title")),
      field("rating", t("consult_rating"), rating), field("comment", t("consult_comment"), comment), top, h("div", { class: "actions" }, save));
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      clearErrors(form);
      top.hidden = true;
      save.disabled = true;
      try {
        // A non-number goes as null so the Api names the field rather than failing to read the body.
        const value = rating.value.trim() === "" || !Number.isInteger(Number(rating.value)) ? null : Number(rating.value);
        const saved = await call<Schemas["ConsultationRating"]>("POST", `/api/consultations/${id}/rating`, { rating: value, comment: comment.value.trim() || null });
        form.replaceWith(h("div", { class: "card rating-done", role: "status" }, h("p", { class: "notice" }, `${t("consult_rated")} ${saved.rating}/5`)));
      } catch (e) {
        if (e instanceof ApiError && Object.keys(e.errors).length > 0) top.textContent = [t("fix_errors"), ...showErrors(form, e.errors)].join(" ");
        else top.textContent = refusal(e);
        top.hidden = false;
      } finally { save.disabled = false; }
    });
    return form;
  }

  async function reload() {
    try { view = await call<View>("GET", `/api/consultations/${id}`); render(); } catch { /* keeps what it shows */ }
  }

  section.append(
    h("h1", { id: "thread-title" }, t("consult_thread_title")),
    h("div", { class: "card" },
      h("p", { class: "consult-question" }, view.question),
      h("p", { class: "muted small" }, `${formatDateTime(view.createdAt)}${view.attachmentIds.length ? ` · ${view.attachmentIds.length} ${t("consult_attachments")}` : ""}`),
      statusLine, actions),
    alerts,
    h("div", { class: "card" }, h("h2", {}, t("consult_thread")), thread, composerSlot));
  if (view.guidance && !isDoctor) alerts.append(emergency(view.guidance));
  if (isDoctor && view.redFlags.length) alerts.append(h("p", { class: "form-error" }, `${t("consult_red_flags")}: ${view.redFlags.join(", ")}`));

  const hub = connect("/hubs/consultations");
  live.push(hub);
  hub.on("ConsultationMessage", (e: Pushed) => receive(e.message));
  // A new connection is a new watcher: watch again, then read what came after the last message shown.
  const watch = async () => {
    try {
      const last = await hub.invoke<number>("WatchConsultation", id);
      if (last > applied) await catchUp();
    } catch { /* the banner says the connection is away; the next reconnect watches again */ }
    section.dataset.live = hub.state;
  };
  hub.onreconnecting(() => { section.dataset.live = hub.state; });
  hub.onreconnected(() => { void watch(); void reload(); });
  hub.onclose(() => { section.dataset.live = hub.state; });

  // Claim, close and expiry are not thread messages: the patient hears of them through the inbox and reads the
  // consultation again.
  const notices = connect("/hubs/notifications");
  live.push(notices);
  notices.on("notification", (n: Schemas["Notification"]) => { if (n.subjectId === id) void reload(); });
  notices.onreconnected(() => void reload());

  await Promise.all([start(hub), start(notices)]);
  await watch();
  drain();
  render();
  // A claim or close between the first read and the notices connection would otherwise go unseen until the next one.
  void reload();
  return section;
}
