// Medication and custom alarms of the last day and the coming week, each marked taken or skipped.
import { ApiError, call } from "../api/client";
import { formatDateTime, t } from "../i18n";
import { h } from "../ui";

type Alarm = { id: string; kind: string; title: string; dueAt: string; status: string; late?: boolean };
type Page = { items: Alarm[]; nextCursor: string | null };

function row(alarm: Alarm, top: HTMLElement): HTMLElement {
  const li = h("li", { class: "card alarm", "data-status": alarm.status });
  const draw = (a: Alarm) => {
    li.dataset.status = a.status;
    const buttons = a.status === "open"
      ? (["taken", "skipped"] as const).map((answer) => {
        const b = h("button", { type: "button", class: answer === "taken" ? undefined : "secondary", "aria-label": `${t(`alarm_${answer}_action`)}: ${a.title}` }, t(`alarm_${answer}_action`));
        b.addEventListener("click", async () => {
          b.disabled = true;
          try { draw(await call<Alarm>("POST", `/api/alarms/${a.id}/${answer}`)); }
          catch (e) { top.textContent = e instanceof ApiError ? e.title : t("error_generic"); top.hidden = false; b.disabled = false; }
        });
        return b;
      })
      : [];
    li.replaceChildren(...[
      h("strong", {}, a.title), " ",
      h("span", { class: "muted" }, formatDateTime(a.dueAt)), " ",
      h("span", { class: `pill pill-${a.status}` }, t(`alarm_status_${a.status}` as Parameters<typeof t>[0]) ?? a.status),
      a.late ? h("span", { class: "pill" }, t("alarm_late")) : null,
      buttons.length ? h("div", { class: "actions" }, ...buttons) : null].filter((n) => n !== null));
  };
  draw(alarm);
  return li;
}

export async function alarmsScreen(): Promise<HTMLElement> {
  const from = new Date(Date.now() - 24 * 3600_000).toISOString();
  const to = new Date(Date.now() + 7 * 24 * 3600_000).toISOString();
  const list = h("ul", { class: "plain" });
  const top = h("p", { class: "form-error", role: "alert", hidden: true });
  const more = h("button", { type: "button", class: "secondary", hidden: true }, t("load_more"));
  let cursor: string | null = null;
  async function load() {
    const q = new URLSearchParams({ from, to, limit: "50" });
    if (cursor) q.set("cursor", cursor);
    const page = await call<Page>("GET", `/api/alarms?${q}`);
    list.append(...page.items.map((a) => row(a, top)));
    if (!list.children.length) list.append(h("li", { class: "muted" }, t("no_alarms")));
    cursor = page.nextCursor;
    more.hidden = !cursor;
  }
  more.addEventListener("click", () => void load());
  await load();
  return h("section", { "aria-labelledby": "alarms-title" },
    h("h1", { id: "alarms-title" }, t("alarms_title")),
    h("p", { class: "muted" }, t("alarms_window")), top, list, more);
}
