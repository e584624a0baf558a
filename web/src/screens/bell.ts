import type { HubConnection } from "@microsoft/signalr";
import { call, type Schemas } from "../api/client";
import { formatDateTime, t } from "../i18n";
import { connect, start } from "../live";
import { h } from "../ui";

type Notification = Schemas["Notification"];
let hub: HubConnection | null = null;

// Drawn, not an emoji: many systems (Debian's headless Chromium among them) have no emoji font.
function bellIcon(): SVGSVGElement {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("width", "20");
  svg.setAttribute("height", "20");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", "M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1z");
  path.setAttribute("fill", "currentColor");
  svg.append(path);
  return svg;
}

/** The bell in the header: unread count from REST, then live over /hubs/notifications. */
export function bell(): HTMLElement {
  let unread = 0;
  let items: Notification[] = [];
  const count = h("span", { class: "badge", "aria-hidden": "true", hidden: true });
  const button = h("button", { type: "button", class: "bell", "aria-expanded": "false", "aria-controls": "bell-panel" }, bellIcon(), count);
  const panel = h("div", { id: "bell-panel", class: "bell-panel card", hidden: true, tabindex: "0", role: "region", "aria-label": t("notifications") });
  const wrapper = h("div", { class: "bell-wrap" }, button, panel);

  function render() {
    count.textContent = unread > 99 ? "99+" : String(unread);
    count.hidden = unread === 0;
    button.setAttribute("aria-label", `${t("notifications")}: ${unread} ${t("unread")}`);
    panel.replaceChildren(h("h2", {}, t("notifications")), items.length === 0 ? h("p", { class: "muted" }, t("no_notifications")) :
      h("ul", {}, ...items.map((n) => h("li", { class: n.readAt ? "" : "unread" },
        h("strong", {}, n.title), h("p", {}, n.body), h("p", { class: "muted small" }, formatDateTime(n.createdAt))))));
  }

  button.addEventListener("click", () => {
    const open = panel.hidden;
    panel.hidden = !open;
    button.setAttribute("aria-expanded", String(open));
  });
  wrapper.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape" && !panel.hidden) { panel.hidden = true; button.setAttribute("aria-expanded", "false"); button.focus(); }
  });

  // The inbox is the truth: read at start and again after every reconnect, so what arrived while the connection
  // was away is shown (the hub only pushes to connections it holds); live pushes are merged by id, never twice.
  // A push that lands while a read is in flight may be newer than what that read saw; the read must not drop it.
  const reading = new Set<Map<string, Notification>>();
  async function load() {
    const pushed = new Map<string, Notification>();
    reading.add(pushed);
    try {
      const page = await call<Schemas["InboxPage"]>("GET", "/api/notifications?page=1&pageSize=20");
      const missed = [...pushed.values()].filter((n) => !page.items.some((i) => i.id === n.id));
      items = [...missed, ...page.items].slice(0, 20);
      unread = page.unread + missed.filter((n) => !n.readAt).length;
      render();
    } catch { /* the bell keeps what it has; the live feed still fills it */ }
    finally { reading.delete(pushed); }
  }
  void load();

  void stopBell().then(() => {
    hub = connect("/hubs/notifications");
    hub.on("notification", (n: Notification) => {
      for (const pushed of reading) pushed.set(n.id, n);
      if (items.some((i) => i.id === n.id)) return;
      items = [n, ...items].slice(0, 20);
      if (!n.readAt) unread++;
      render();
    });
    const connection = hub;
    // The connection state is exposed for tests and styling: the bell is live only once this says Connected.
    const mark = () => { wrapper.dataset.live = connection.state; };
    connection.onreconnecting(mark);
    connection.onreconnected(() => { mark(); void load(); });
    connection.onclose(mark);
    void start(connection).then(mark);
  });
  render();
  return wrapper;
}

export async function stopBell() {
  const current = hub;
  hub = null;
  await current?.stop();
}
