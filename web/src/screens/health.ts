// Shared pieces of the health record screens: the Api's errors shown at their fields, and local times sent with their offset.
import { ApiError } from "../api/client";
import { t } from "../i18n";
import { clearErrors, h, showErrors } from "../ui";

/** A datetime-local value ("2026-12-03T08:30") read in the browser's zone and written as ISO 8601 with that offset, as the Api requires. */
export function withOffset(local: string): string | null {
  if (!local) return null;
  const at = new Date(local);
  if (Number.isNaN(at.getTime())) return local;
  const minutes = -at.getTimezoneOffset();
  const sign = minutes >= 0 ? "+" : "-";
  const pad = (n: number) => String(Math.floor(Math.abs(n))).padStart(2, "0");
  return `${local.length === 16 ? local + ":00" : local}${sign}${pad(minutes / 60)}:${pad(minutes % 60)}`;
}

/** Now as a datetime-local value, for the default of "when". */
export function localNow(): string {
  const d = new Date();
  d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
  return d.toISOString().slice(0, 16);
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
