import { HubConnectionState, type HubConnection } from "@microsoft/signalr";
import { call, type Schemas } from "../api/client";
import { formatDateTime, t } from "../i18n";
import { connect, start } from "../live";
import { h } from "../ui";

type Conversation = Schemas["ConversationInfo"];
type Message = Schemas["ChatMessage"];
interface Chunk { index: number; text: string; final: boolean; emergency: boolean; redFlag?: string | null; degraded: boolean }

let hub: HubConnection | null = null;
let ready: Promise<void> = Promise.resolve();
// The connection outlives the screen and cannot drop a handler once added, so it calls whichever chat screen is shown.
let shown: { changed(): void; reconnected(): void } | null = null;

/** One chat connection for the page's life: leaving the chat screen keeps it, signing out stops it. */
async function chatHub(): Promise<HubConnection> {
  if (!hub) {
    const connection = hub = connect("/hubs/chat");
    connection.onreconnecting(() => shown?.changed());
    connection.onreconnected(() => { shown?.changed(); shown?.reconnected(); });
    connection.onclose(() => shown?.changed());
  }
  const connection = hub;
  // One that gave up reconnecting (or never came up) is started again here, so the next turn needs no reload.
  if (connection.state === HubConnectionState.Disconnected) ready = start(connection);
  await ready;
  return connection;
}

export async function stopChat() {
  const current = hub;
  hub = null;
  shown = null;
  await current?.stop();
}

function bubble(role: "user" | "assistant", content: string, emergency = false, id?: string): HTMLElement {
  const el = h("article", { class: `msg ${role}${emergency ? " emergency" : ""}`, "data-role": role, "data-message": id });
  if (emergency) markEmergency(el);
  el.append(h("h2", { class: "sr-only" }, role === "user" ? t("you") : t("assistant")), h("p", { class: "msg-text" }, content));
  return el;
}

// role=alert makes screen readers interrupt with it; the red styling and the heading make it unmissable on screen.
function markEmergency(el: HTMLElement) {
  if (el.classList.contains("emergency") && el.getAttribute("role") === "alert") return;
  el.classList.add("emergency");
  el.setAttribute("role", "alert");
  el.prepend(h("strong", { class: "emergency-label" }, `⚠ ${t("emergency")}`));
}

export async function chatScreen(selected?: string): Promise<HTMLElement> {
  let active = selected ?? null;
  const list = h("ul", { class: "conversations", "aria-label": t("conversations") });
  const log = h("div", { class: "log", role: "log", tabindex: "0", "aria-live": "polite", "aria-label": t("chat_title") });
  const input = h("textarea", { id: "chat-message", rows: "2", required: true, maxlength: "4000" });
  const send = h("button", { type: "submit" }, t("send"));
  const status = h("p", { class: "muted", role: "status" });
  const error = h("p", { class: "form-error", role: "alert", hidden: true });
  const form = h("form", { class: "composer" },
    h("label", { for: "chat-message" }, t("message")), input, h("div", { class: "actions" }, send), status, error);
  const fresh = h("button", { type: "button", class: "secondary" }, t("new_conversation"));
  const query = h("input", { id: "chat-search", type: "search", maxlength: "200" });
  const results = h("ul", { class: "conversations search-results", "aria-live": "polite" });
  const search = h("form", { class: "search", role: "search" },
    h("label", { for: "chat-search" }, t("search")), query, h("button", { type: "submit", class: "secondary" }, t("search_submit")), results);
  search.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const q = query.value.trim();
    if (!q) { results.replaceChildren(); return; }
    try {
      const hits = await call<Schemas["SearchHit"][]>("GET", `/api/conversations/search?q=${encodeURIComponent(q)}&limit=20`);
      // The snippet marks matches with « »; it is shown as text, so nothing in a message can become markup.
      results.replaceChildren(...(hits.length === 0 ? [h("li", { class: "muted" }, t("no_results"))] : hits.map((hit) => {
        const button = h("button", { type: "button", class: "link" }, hit.snippet,
          h("span", { class: "muted small" }, ` · ${formatDateTime(hit.createdAt)}`));
        button.addEventListener("click", () => void open(hit.conversationId));
        return h("li", {}, button);
      })));
    } catch (e) {
      results.replaceChildren(h("li", { class: "form-error" }, e instanceof Error ? e.message : t("error_generic")));
    }
  });

  async function refreshList() {
    const page = await call<Schemas["PageOfConversationInfo"]>("GET", "/api/conversations?page=1&pageSize=50");
    list.replaceChildren(...(page.items.length === 0 ? [h("li", { class: "muted" }, t("no_conversations"))] :
      page.items.map((c: Conversation) => {
        const button = h("button", { type: "button", class: "link", "aria-current": c.id === active ? "true" : undefined },
          c.title || t("untitled"), h("span", { class: "muted small" }, ` · ${formatDateTime(c.updatedAt)}`));
        button.addEventListener("click", () => void open(c.id));
        return h("li", {}, button);
      })));
  }

  // The seq of the last stored message this screen knows of. The server stores a turn's two messages together when
  // the answer is complete, so an interrupted turn is caught up once a message at its answer's seq is stored.
  let storedSeq = 0;
  let awaitedSeq: number | null = null;
  let pending: HTMLElement[] = [];

  /** The stored messages replace whatever the log shows, so a message is never on screen twice. */
  async function showStored(id: string): Promise<Message[]> {
    const messages = await call<Message[]>("GET", `/api/conversations/${id}/messages?limit=50`);
    if (active === id) {
      log.replaceChildren(...messages.map((m) => bubble(m.role === "user" ? "user" : "assistant", m.content, !!m.redFlag, m.id)));
      storedSeq = messages.length > 0 ? messages[messages.length - 1].seq : 0;
    }
    return messages;
  }

  async function open(id: string) {
    active = id;
    awaitedSeq = null;
    pending = [];
    history.replaceState(null, "", `/chat/${id}`);
    await showStored(id);
    await refreshList();
    input.focus();
  }

  // A turn keeps running on the server when the connection drops (the grain stores the answer either way), and
  // the hub only streams to the connection that asked. So after a reconnect the log is read back from the Api,
  // again every second while the answer is still being written, instead of trusting the half-streamed bubble.
  let sending = false;
  let catchingUp = false;
  let interrupted = false;
  const section = h("section", { class: "chat", "aria-labelledby": "chat-title" });
  const connected = () => hub?.state === HubConnectionState.Connected;
  function changed() {
    section.dataset.live = hub?.state ?? HubConnectionState.Disconnected;
    // Disabled while reconnecting; a connection that gave up is started again by pressing Send.
    send.disabled = sending || catchingUp || hub?.state === HubConnectionState.Reconnecting;
  }
  async function catchUp() {
    const id = active;
    if (!id || !section.isConnected || sending || catchingUp) return;
    catchingUp = true;
    changed();
    try {
      for (let tries = 0; tries < 30 && active === id && !sending; tries++) {
        const messages = await showStored(id);
        const last = messages.length > 0 ? messages[messages.length - 1] : null;
        // Still being answered: the interrupted turn is not stored yet (its bubbles stay in view meanwhile), or a
        // patient's message is stored without its answer (a turn that failed on the server, or another tab's).
        const unanswered = awaitedSeq !== null && (last?.seq ?? 0) < awaitedSeq;
        if (!unanswered && last?.role !== "user") break;
        if (unanswered && active === id) log.append(...pending);
        await new Promise((resolve) => window.setTimeout(resolve, 1_000));
      }
      awaitedSeq = null;
      pending = [];
      if (interrupted) { interrupted = false; status.textContent = ""; }
      section.dataset.caughtUp = String(Number(section.dataset.caughtUp ?? "0") + 1);
    } catch { /* the next reconnect or opening the conversation reads again */ }
    finally { catchingUp = false; changed(); }
  }
  shown = { changed, reconnected: () => void catchUp() };

  fresh.addEventListener("click", () => {
    active = null;
    storedSeq = 0;
    awaitedSeq = null;
    pending = [];
    history.replaceState(null, "", "/chat");
    log.replaceChildren();
    void refreshList();
    input.focus();
  });

  // Enter sends, Shift+Enter makes a new line, as in every chat people know.
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); form.requestSubmit(); }
  });

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    error.hidden = true;
    sending = true;
    changed();
    let answer: HTMLElement | null = null;
    let asked: HTMLElement | null = null;
    let answerSeq = 0;
    try {
      const connection = await chatHub();
      if (!active) { active = await connection.invoke<string>("StartConversation", text.slice(0, 60)); storedSeq = 0; }
      history.replaceState(null, "", `/chat/${active}`);
      asked = bubble("user", text);
      answerSeq = storedSeq + 2;
      log.append(asked);
      input.value = "";
      const streamed = answer = bubble("assistant", "");
      streamed.classList.add("streaming");
      streamed.setAttribute("aria-busy", "true");
      const body = streamed.querySelector(".msg-text")!;
      log.append(streamed);
      status.textContent = t("answering");
      await new Promise<void>((resolve, reject) => {
        connection.stream<Chunk>("SendMessage", active, text).subscribe({
          next: (chunk) => {
            if (chunk.text) body.textContent += chunk.text;
            if (chunk.emergency) markEmergency(streamed);
            if (chunk.final) {
              streamed.classList.remove("streaming"); streamed.removeAttribute("aria-busy"); streamed.dataset.final = "true";
              storedSeq = answerSeq;
            }
            log.scrollTop = log.scrollHeight;
          },
          complete: () => resolve(),
          error: (e) => reject(e),
        });
      });
      await refreshList();
    } catch (e) {
      if (answer && !connected()) {
        // Not a refusal: the connection went away mid-answer. The catch-up after the reconnect shows the stored answer.
        answer.dataset.interrupted = "true";
        answer.removeAttribute("aria-busy");
        interrupted = true;
        awaitedSeq = answerSeq;
        pending = asked ? [asked, answer] : [answer];
        return;
      }
      // Hub errors arrive as "An error occurred ... HubException: <message>"; the message after the colon is ours.
      const message = e instanceof Error ? e.message.replace(/^.*HubException: /, "") : t("error_generic");
      error.textContent = message || t("error_generic");
      error.hidden = false;
    } finally {
      status.textContent = interrupted ? t("chat_interrupted") : "";
      sending = false;
      changed();
      // The reconnect may have come before this turn gave up; then no later event would catch it up.
      if (interrupted && connected()) void catchUp();
    }
  });

  // Connected while the screen is shown, so a drop between turns is reported too, not only at the next send.
  void chatHub().then(changed);
  await refreshList();
  if (active) await open(active);
  changed();
  section.append(
    h("h1", { id: "chat-title" }, t("chat_title")),
    h("div", { class: "chat-layout" },
      h("aside", { class: "card", "aria-label": t("conversations") }, h("h2", {}, t("conversations")), fresh, list, search),
      h("div", { class: "card chat-main" }, log, form)));
  return section;
}
