// Shared pieces of the health record screens: the Api's errors shown at their fields, and local times sent with their offset.
import { ApiError } from "../api/client";
import { t, viewTimeZone } from "../i18n";
import { clearErrors, h, showErrors } from "../ui";

/**
 * A datetime-local value ("2026-12-03T08:30") read on the wall clock of the zone the lists show (the profile's, else
 * the browser's) and written as ISO 8601 with that zone's offset, as the Api requires: what is typed reads back the same.
 */
export function withOffset(local: string): string | null {
  if (!local) return null;
  return withZoneOffset(local.slice(0, 16), viewTimeZone());
}

/** "+09:00" / "-03:00" for an offset east of UTC in minutes. */
function offsetText(minutes: number): string {
  const pad = (n: number) => String(Math.floor(Math.abs(n))).padStart(2, "0");
  return `${minutes >= 0 ? "+" : "-"}${pad(minutes / 60)}:${pad(minutes % 60)}`;
}

/** Now as a datetime-local value on the same wall clock. */
export function localNow(): string {
  return zoneNow(viewTimeZone());
}

/** A stored instant as a datetime-local value on the same wall clock, the one withOffset reads it back on. */
export function toLocalInput(iso: string | null | undefined): string {
  if (!iso) return "";
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return "";
  return new Date(at + zoneOffset(viewTimeZone(), at) * 60_000).toISOString().slice(0, 16);
}

/** A named zone's offset at an instant, in minutes east of UTC (Intl writes it as "GMT-03:00", or "GMT" for zero). */
function zoneOffset(zone: string, at: number): number {
  const name = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "longOffset" })
    .formatToParts(new Date(at)).find((p) => p.type === "timeZoneName")?.value ?? "";
  const m = /([+-])(\d{2}):(\d{2})/.exec(name);
  return m ? (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

/**
 * A datetime-local value read as the wall clock of `zone` (the profile's, not the browser's) and written as ISO 8601
 * with that zone's offset. The offset depends on the instant it is asked for: a first guess from the wall time and one
 * correction settle the hours next to a daylight-saving change. Anything that is not a full value goes as typed, so
 * the Api names it.
 */
export function withZoneOffset(local: string, zone: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local);
  if (!m) return local || null;
  const wall = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]);
  const guess = zoneOffset(zone, wall);
  return `${local}:00${offsetText(zoneOffset(zone, wall - guess * 60_000))}`;
}

/** A datetime-local value `minutesAhead` from now on the wall clock of `zone`. */
export function zoneNow(zone: string, minutesAhead = 0): string {
  const at = Date.now() + minutesAhead * 60_000;
  return new Date(at + zoneOffset(zone, at) * 60_000).toISOString().slice(0, 16);
}

/**
 * Asks before something is deleted, in a modal <dialog>: named by its heading, the focus starts on the safe choice,
 * Tab stays inside and Escape cancels (window.confirm cannot be styled, translated by us, or read well by tests).
 * Resolves true when the person confirms.
 */
export function confirmDelete(question: string, detail: string, confirmLabel: string, cancelLabel: string): Promise<boolean> {
  const title = h("h2", { id: "confirm-title" }, question);
  const text = h("p", { id: "confirm-detail" }, detail);
  const yes = h("button", { type: "button", class: "danger" }, confirmLabel);
  const no = h("button", { type: "button", class: "secondary" }, cancelLabel);
  const dialog = h("dialog", { class: "confirm", "aria-labelledby": title.id, "aria-describedby": text.id },
    title, text, h("div", { class: "actions" }, no, yes));
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  document.body.append(dialog);
  return new Promise((resolve) => {
    yes.addEventListener("click", () => dialog.close("yes"));
    no.addEventListener("click", () => dialog.close("no"));
    dialog.addEventListener("close", () => {
      dialog.remove();
      if (opener?.isConnected) opener.focus();
      resolve(dialog.returnValue === "yes");
    });
    dialog.showModal();
    no.focus();
  });
}

/** A form-level message slot and a submit wrapper that puts ProblemDetails errors under their fields. */
export function submitter(form: HTMLFormElement, button: HTMLButtonElement, top: HTMLElement, action: () => Promise<void>) {
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    top.hidden = true;
    button.disabled = true;
    try {
      await action();
    } catch (e) {
      if (e instanceof ApiError && Object.keys(e.errors).length) {
        const left = showErrors(form, e.errors);
        top.textContent = left.length ? `${t("fix_errors")} ${left.join("; ")}` : t("fix_errors");
      } else {
        top.textContent = e instanceof ApiError ? e.title : t("error_generic");
      }
      top.hidden = false;
    } finally {
      button.disabled = false;
    }
  });
}

export function formError() {
  return h("p", { class: "form-error", role: "alert", hidden: true });
}

export function status() {
  return h("p", { class: "notice", role: "status", "aria-live": "polite" });
}
