// Clinical cases for verified doctors: search, the cases I follow, a new case, and one case's thread live over /hubs/cases.
import type { HubConnection } from "@microsoft/signalr";
import { call, userId, type Schemas } from "../api/client";
import { formatDateTime, t } from "../i18n";
import { connect, start } from "../live";
import { navigate } from "../router";
import { field, h } from "../ui";
import { doctorSelf, notVerifiedNotice } from "./doctor";
import { formError, status, submitter } from "./health";

type ClinicalCase = Schemas["ClinicalCase"];
type CaseSummary = Schemas["CaseSummary"];
type CasePage = Schemas["CasePage"];
type CaseComment = Schemas["CaseComment"];
type CommentPage = Schemas["CommentPage"];
type Specialty = Schemas["Specialty"];
/** What /hubs/cases pushes (a hub message, so not in the OpenAPI document). */
interface CaseCommentEvent { caseId: string; seq: number; comment: CaseComment }

const tk = (key: string) => t(key as Parameters<typeof t>[0]);
const sexes = ["female", "male", "intersex", "unknown"] as const;
const ageBands = [...Array.from({ length: 10 }, (_, i) => `${i * 10}-${i * 10 + 9}`), "100+"];

// The case page's hub connection lives only while the page is shown.
let live: HubConnection | null = null;

export async function stopCases() {
  const current = live;
  live = null;
  await current?.stop();
}

/** /cases, /cases/new, /cases/{id}; an unverified doctor is told why they are closed and where to go. */
export async function casesScreen(path: string): Promise<HTMLElement> {
  await stopCases();
  const id = path.split("/")[2];
  const { verified } = await doctorSelf();
  if (!verified) {
    return h("section", { class: "doc-screen", "aria-labelledby": "cases-title" }, h("h1", { id: "cases-title" }, t("case_title")), notVerifiedNotice());
  }
  if (id === "new") return newCaseScreen();
  if (id) return caseScreen(id);
  return searchScreen(new URLSearchParams(location.search));
}

async function specialties(): Promise<Specialty[]> {
  return call<Specialty[]>("GET", "/api/specialties").catch(() => [] as Specialty[]);
}

function summaryItem(c: CaseSummary, names: Map<string, string>): HTMLElement {
  const meta = [c.ageBand, tk(`sex_${c.sex}`), c.specialtyId ? names.get(c.specialtyId) : null, tk(`case_status_${c.status}`),
    `${c.commentCount} ${t("case_comments_count")}`, formatDateTime(c.createdAt)].filter(Boolean).join(" · ");
  return h("li", { "data-case": c.id },
    h("a", { href: `/cases/${c.id}`, "data-link": true }, c.title),
    h("span", { class: "muted small" }, ` · ${meta}`),
    c.tags.length ? h("span", { class: "tags small" }, ` · ${c.tags.map((tag) => `#${tag}`).join(" ")}`) : null);
}

// ---- search and following ----

async function searchScreen(params: URLSearchParams): Promise<HTMLElement> {
  const all = await specialties();
  const names = new Map(all.map((s) => [s.id, s.name]));
  const q = h("input", { type: "search", value: params.get("q") ?? "", maxlength: "200" });
  const specialtyId = h("select", {}, h("option", { value: "" }, t("doctors_any")),
    ...all.map((s) => h("option", { value: s.id, selected: s.id === params.get("specialtyId") }, s.name)));
  const statusSelect = h("select", {}, h("option", { value: "" }, t("doctors_any")),
    ...["open", "closed"].map((s) => h("option", { value: s, selected: s === params.get("status") }, tk(`case_status_${s}`))));
  const top = formError(), go = h("button", { type: "submit" }, t("search_submit"));
  const form = h("form", { class: "card grid", role: "search", novalidate: true, "aria-label": t("case_search") },
    field("q", t("case_search_text"), q), field("specialtyId", t("doctors_specialty"), specialtyId),
    field("status", t("case_status"), statusSelect), top, h("div", { class: "actions" }, go));
  const results = h("ul", { class: "cases", "aria-label": t("case_results") });
  const following = h("ul", { class: "cases following", "aria-label": t("case_following") });

  submitter(form, go, top, async () => {
    // The search is kept in the URL, so a reload or a shared link shows the same results.
    const next = new URLSearchParams();
    if (q.value.trim()) next.set("q", q.value.trim());
    if (specialtyId.value) next.set("specialtyId", specialtyId.value);
    if (statusSelect.value) next.set("status", statusSelect.value);
    await search(next);
    history.replaceState(null, "", `/cases${next.size ? `?${next}` : ""}`);
  });

  async function search(p: URLSearchParams) {
    const query = new URLSearchParams(p);
    query.set("page", "1");
    query.set("pageSize", "20");
    const page = await call<CasePage>("GET", `/api/cases?${query}`);
    results.replaceChildren(...(page.items.length === 0 ? [h("li", { class: "muted" }, t("case_none"))] : page.items.map((c) => summaryItem(c, names))));
    results.dataset.total = String(page.total);
  }

  const mine = await call<CasePage>("GET", "/api/cases/following?page=1&pageSize=20");
  following.replaceChildren(...(mine.items.length === 0 ? [h("li", { class: "muted" }, t("case_following_none"))] : mine.items.map((c) => summaryItem(c, names))));
  await search(params);

  return h("section", { class: "doc-screen", "aria-labelledby": "cases-title" },
    h("h1", { id: "cases-title" }, t("case_title")),
    h("p", {}, h("a", { href: "/cases/new", "data-link": true, class: "button" }, t("case_new"))),
    form,
    h("div", { class: "card" }, h("h2", {}, t("case_results")), results),
    h("div", { class: "card" }, h("h2", {}, t("case_following")), following));
}

// ---- a new case ----

async function newCaseScreen(): Promise<HTMLElement> {
  const all = await specialties();
  const text = (max: string) => h("input", { type: "text", maxlength: max });
  const area = () => h("textarea", { rows: "4", maxlength: "4000" });
  const c = {
    title: text("200"),
    ageBand: h("select", {}, h("option", { value: "" }, t("not_set")), ...ageBands.map((b) => h("option", { value: b }, b))),
    sex: h("select", {}, h("option", { value: "" }, t("not_set")), ...sexes.map((s) => h("option", { value: s }, tk(`sex_${s}`)))),
    specialtyId: h("select", {}, h("option", { value: "" }, t("not_set")), ...all.map((s) => h("option", { value: s.id }, s.name))),
    presentingComplaint: area(), history: area(), findings: area(), question: area(),
    tags: text("300"),
  };
  const labels: Record<keyof typeof c, string> = {
    title: t("case_f_title"), ageBand: t("case_f_age"), sex: t("sex"), specialtyId: t("doctors_specialty"),
    presentingComplaint: t("case_f_complaint"), history: t("case_f_history"), findings: t("case_f_findings"),
    question: t("case_f_question"), tags: t("case_f_tags"),
  };
  const top = formError(), save = h("button", { type: "submit" }, t("case_publish"));
  const form = h("form", { class: "card grid", novalidate: true, "aria-labelledby": "new-case-title" },
    h("p", { class: "muted small" }, t("case_deid_hint")),
    ...Object.entries(c).map(([k, control]) => field(k, labels[k as keyof typeof c], control)),
    top, h("div", { class: "actions" }, save));
  submitter(form, save, top, async () => {
    const orNull = (s: string) => (s.trim() === "" ? null : s.trim());
    const created = await call<ClinicalCase>("POST", "/api/cases", {
      title: orNull(c.title.value), ageBand: orNull(c.ageBand.value), sex: orNull(c.sex.value), specialtyId: orNull(c.specialtyId.value),
      presentingComplaint: orNull(c.presentingComplaint.value), history: orNull(c.history.value), findings: orNull(c.findings.value),
      question: orNull(c.question.value), tags: c.tags.value.split(",").map((s) => s.trim().toLowerCase()).filter(Boolean),
    });
    navigate(`/cases/${created.id}`);
  });
  return h("section", { class: "doc-screen", "aria-labelledby": "new-case-title" }, h("h1", { id: "new-case-title" }, t("case_new")), form);
}

// ---- one case, its thread live ----

async function isFollowing(id: string): Promise<boolean> {
  // The Api has no per-case flag; the newest 100 follows hold any case the doctor is likely to open from here.
  const page = await call<CasePage>("GET", "/api/cases/following?page=1&pageSize=100");
  return page.items.some((c) => c.id === id);
}

async function caseScreen(id: string): Promise<HTMLElement> {
  let view = await call<ClinicalCase>("GET", `/api/cases/${id}`);
  const me = userId();
  let following = await isFollowing(id);
  const comments = new Map<string, CaseComment>();
  let applied = 0;
  const pending = new Map<number, CaseComment>();
  let catching: Promise<void> | null = null;
  let replyTo: CaseComment | null = null;

  const section = h("section", { class: "case doc-screen", "aria-labelledby": "case-title", "data-case": id });
  const statusLine = h("p", { class: "status-line", role: "status" });
  const thread = h("ol", { class: "thread", "aria-live": "polite", "aria-label": t("case_thread") });
  const error = h("p", { class: "form-error", role: "alert", hidden: true });
  const followButton = h("button", { type: "button", class: "secondary" });
  const closeButton = h("button", { type: "button", class: "secondary" }, t("case_close"));
  const author = (authorId: string) => authorId === me ? t("you") : authorId === view.authorId ? t("case_author") : `${t("case_colleague")} ${authorId.slice(0, 6)}`;

  function fail(e: unknown) {
    error.textContent = e instanceof Error ? e.message : t("error_generic");
    error.hidden = false;
  }

  // Comments are applied strictly in seq order, each once: one ahead of what we hold waits in `pending` while the
  // missing ones are read back, and one at or below `applied` is a duplicate (a push racing the catch-up).
  function drain() {
    while (pending.has(applied + 1)) {
      const c = pending.get(applied + 1)!;
      comments.set(c.id, c);
      pending.delete(applied + 1);
      applied++;
    }
    for (const seq of pending.keys()) if (seq <= applied) pending.delete(seq);
    render();
  }

  function catchUp(): Promise<void> {
    catching ??= (async () => {
      try {
        for (;;) {
          const page = await call<CommentPage>("GET", `/api/cases/${id}/comments?after=${applied}&limit=100`);
          for (const c of page.items) if (c.seq > applied) pending.set(c.seq, c);
          drain();
          if (page.nextAfter === null || page.items.length === 0) break;
        }
      } finally { catching = null; }
    })();
    return catching;
  }

  function receive(e: CaseCommentEvent) {
    if (e.caseId !== id || e.seq <= applied) return;
    pending.set(e.seq, e.comment);
    drain();
    if (pending.size > 0) void catchUp();
  }

  function commentItem(c: CaseComment): HTMLElement {
    const accepted = view.acceptedCommentId === c.id;
    const li = h("li", { class: `comment${accepted ? " accepted" : ""}${c.authorId === me ? " mine" : ""}`, "data-comment": c.id, "data-seq": String(c.seq) },
      h("p", { class: "muted small" }, `${author(c.authorId)} · ${formatDateTime(c.createdAt)}`),
      accepted ? h("p", { class: "accepted-mark" }, t("case_accepted")) : null,
      h("p", { class: "comment-text" }, c.text));
    const actions = h("div", { class: "actions" });
    const upvote = h("button", { type: "button", class: "secondary", "aria-label": `${t("case_upvote")} (${c.upvotes}): ${c.text.slice(0, 40)}` }, `${t("case_upvote")} (${c.upvotes})`);
    upvote.addEventListener("click", async () => {
      try { const updated = await call<CaseComment>("POST", `/api/cases/${id}/comments/${c.id}/upvote`); comments.set(c.id, updated); render(); } catch (e) { fail(e); }
    });
    actions.append(upvote);
    if (c.parentId === null && view.status === "open") {
      const reply = h("button", { type: "button", class: "secondary" }, t("case_reply"));
      reply.addEventListener("click", () => { replyTo = c; renderReply(); commentText.focus(); });
      actions.append(reply);
    }
    if (view.authorId === me && !accepted && c.authorId !== me) {
      const accept = h("button", { type: "button", "aria-label": `${t("case_accept")}: ${c.text.slice(0, 40)}` }, t("case_accept"));
      accept.addEventListener("click", async () => {
        try { view = await call<ClinicalCase>("POST", `/api/cases/${id}/accept`, { commentId: c.id }); render(); } catch (e) { fail(e); }
      });
      actions.append(accept);
    }
    li.append(actions);
    return li;
  }

  function render() {
    section.dataset.seq = String(applied);
    section.dataset.status = view.status;
    statusLine.textContent = `${t("case_status")}: ${tk(`case_status_${view.status}`)} · ${applied} ${t("case_comments_count")}`;
    followButton.textContent = following ? t("case_unfollow") : t("case_follow");
    followButton.setAttribute("aria-pressed", String(following));
    closeButton.hidden = view.authorId !== me || view.status !== "open";
    commentForm.hidden = view.status !== "open";
    // Top-level comments in seq order, each with its replies (one level) under it, also in seq order.
    const all = [...comments.values()].sort((a, b) => a.seq - b.seq);
    const top = all.filter((c) => c.parentId === null);
    thread.replaceChildren(...(top.length === 0 ? [h("li", { class: "muted" }, t("case_no_comments"))] : top.map((c) => {
      const li = commentItem(c);
      const replies = all.filter((r) => r.parentId === c.id);
      if (replies.length) li.append(h("ol", { class: "replies", "aria-label": t("case_replies") }, ...replies.map(commentItem)));
      return li;
    })));
  }

  followButton.addEventListener("click", async () => {
    try { await call<void>(following ? "DELETE" : "POST", `/api/cases/${id}/follow`); following = !following; render(); } catch (e) { fail(e); }
  });
  closeButton.addEventListener("click", async () => {
    try { view = await call<ClinicalCase>("POST", `/api/cases/${id}/close`); render(); } catch (e) { fail(e); }
  });

  const commentText = h("textarea", { rows: "3", maxlength: "4000" });
  const replyLine = h("p", { class: "muted small", hidden: true });
  const commentTop = formError(), sent = status(), send = h("button", { type: "submit" }, t("case_send"));
  const commentForm = h("form", { class: "card grid", novalidate: true, "aria-labelledby": "comment-title" },
    h("h2", { id: "comment-title" }, t("case_your_comment")), replyLine,
    field("text", t("case_comment_text"), commentText), commentTop, h("div", { class: "actions" }, send), sent);
  function renderReply() {
    replyLine.replaceChildren();
    replyLine.hidden = replyTo === null;
    if (!replyTo) return;
    const cancel = h("button", { type: "button", class: "secondary" }, t("case_reply_cancel"));
    cancel.addEventListener("click", () => { replyTo = null; renderReply(); });
    replyLine.append(`${t("case_replying_to")}: “${replyTo.text.slice(0, 60)}” `, cancel);
  }
  submitter(commentForm, send, commentTop, async () => {
    sent.textContent = "";
    const typed = commentText.value;
    const created = await call<CaseComment>("POST", `/api/cases/${id}/comments`, { text: typed.trim() || null, parentId: replyTo?.id ?? null });
    // Text typed while this one was on its way is the next comment, not this one: it stays.
    if (commentText.value === typed) commentText.value = "";
    replyTo = null;
    renderReply();
    sent.textContent = t("case_sent");
    // Our own comment also comes back through the hub; taking it here too is harmless (seq decides) and quicker.
    if (created.seq > applied) { pending.set(created.seq, created); drain(); if (pending.size > 0) void catchUp(); }
  });

  const body = (label: string, value: string | null | undefined) => value ? [h("h3", {}, label), h("p", { class: "case-text" }, value)] : [];
  section.append(
    h("h1", { id: "case-title" }, view.title),
    h("div", { class: "card" },
      h("p", { class: "muted small" }, `${view.ageBand} · ${tk(`sex_${view.sex}`)} · ${author(view.authorId)} · ${formatDateTime(view.createdAt)}` +
        (view.tags.length ? ` · ${view.tags.map((tag) => `#${tag}`).join(" ")}` : "")),
      ...body(t("case_f_complaint"), view.presentingComplaint), ...body(t("case_f_history"), view.history),
      ...body(t("case_f_findings"), view.findings), ...body(t("case_f_question"), view.question),
      statusLine, h("div", { class: "actions" }, followButton, closeButton), error),
    h("div", { class: "card" }, h("h2", {}, t("case_thread")), thread),
    commentForm);

  const hub = connect("/hubs/cases");
  live = hub;
  hub.on("CaseComment", receive);
  // A new connection is a new watcher: watch again, then read every comment after the last one applied.
  const watch = async () => {
    try { await hub.invoke<number>("WatchCase", id); } catch (e) { fail(e); }
    // Read back whatever came after the last comment applied (all of them the first time): pushes from here on
    // either follow it or wait in `pending` for it.
    try { await catchUp(); } catch (e) { fail(e); }
    section.dataset.live = hub.state;
  };
  hub.onreconnecting(() => { section.dataset.live = hub.state; });
  hub.onreconnected(() => void watch());
  hub.onclose(() => { section.dataset.live = hub.state; });
  render();
  await start(hub);
  await watch();
  render();
  return section;
}
