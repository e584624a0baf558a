// Tiny DOM helpers: text is always set as text, never parsed as HTML, so nothing a user or the model writes can run.
type Attrs = Record<string, string | boolean | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Node | string | null | undefined)[]) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    el.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children) if (child !== null && child !== undefined) el.append(child);
  return el;
}

let fieldSeq = 0;

/** A labelled control with a slot for its error, tied to it by aria-describedby so screen readers read both. */
export function field(name: string, label: string, control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement) {
  const id = `f-${name}-${++fieldSeq}`;
  control.id = id;
  control.name = name;
  const error = h("p", { class: "field-error", id: `${id}-error`, "data-error-for": name, hidden: true });
  control.setAttribute("aria-describedby", error.id);
  return h("div", { class: "field" }, h("label", { for: id }, label), control, error);
}

/** Shows ProblemDetails `errors` next to their fields; returns the keys no field took, to show at the form's top. */
export function showErrors(form: HTMLElement, errors: Record<string, string[]>): string[] {
  clearErrors(form);
  const left: string[] = [];
  let first: HTMLElement | null = null;
  for (const [key, messages] of Object.entries(errors)) {
    // "medications[0].name" belongs to the medications field; the Api names fields in camelCase as the form does.
    const name = key.split(/[[.]/)[0];
    const slot = form.querySelector<HTMLElement>(`[data-error-for="${CSS.escape(name)}"]`);
    if (!slot) { left.push(`${key}: ${messages.join(", ")}`); continue; }
    slot.textContent = messages.join(" ");
    slot.hidden = false;
    const control = form.querySelector<HTMLElement>(`[name="${CSS.escape(name)}"]`);
    control?.setAttribute("aria-invalid", "true");
    first ??= control;
  }
  first?.focus();
  return left;
}

export function clearErrors(form: HTMLElement) {
  form.querySelectorAll<HTMLElement>("[data-error-for]").forEach((slot) => { slot.hidden = true; slot.textContent = ""; });
  form.querySelectorAll("[aria-invalid]").forEach((c) => c.removeAttribute("aria-invalid"));
}

export function replace(target: Element, ...children: Node[]) {
  target.replaceChildren(...children);
}

/**
 * The signed-in links behind a "Menu" button on narrow screens (CSS shows the button and hides the links below
 * 760 px; on wider screens the button is hidden and the links sit in the header). A disclosure, not an ARIA menu:
 * the links stay ordinary links in tab order right after the button, and Escape closes and returns focus to it.
 */
export function navMenu(label: string, ...links: HTMLElement[]): HTMLElement[] {
  const list = h("div", { id: "nav-links", class: "nav-links" }, ...links);
  const toggle = h("button", { type: "button", class: "nav-toggle secondary", "aria-expanded": "false", "aria-controls": "nav-links" },
    h("span", { class: "nav-toggle-bars", "aria-hidden": "true" }), label);
  const show = (open: boolean) => { list.classList.toggle("open", open); toggle.setAttribute("aria-expanded", String(open)); };
  toggle.addEventListener("click", () => show(!list.classList.contains("open")));
  list.addEventListener("keydown", (ev) => { if (ev.key === "Escape") { show(false); toggle.focus(); } });
  list.addEventListener("click", (ev) => { if ((ev.target as Element).closest("a")) show(false); });
  return [toggle, list];
}
