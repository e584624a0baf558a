import { ApiError, login, register } from "../api/client";
import { t } from "../i18n";
import { clearErrors, field, h, showErrors } from "../ui";
import { navigate } from "../router";

function formError() {
  return h("p", { class: "form-error", role: "alert", hidden: true });
}

async function submit(form: HTMLFormElement, top: HTMLElement, action: () => Promise<void>) {
  const button = form.querySelector("button")!;
  button.disabled = true;
  clearErrors(form);
  top.hidden = true;
  try {
    await action();
    navigate("/profile");
  } catch (e) {
    const left = e instanceof ApiError ? showErrors(form, e.errors) : [];
    const message = e instanceof ApiError ? (Object.keys(e.errors).length ? left.join("; ") : e.title) : t("error_generic");
    if (message) { top.textContent = message; top.hidden = false; }
  } finally {
    button.disabled = false;
  }
}

export function signInScreen(notice?: string): HTMLElement {
  const email = h("input", { type: "email", autocomplete: "username", required: true });
  const password = h("input", { type: "password", autocomplete: "current-password", required: true });
  const top = formError();
  const form = h("form", { class: "card", novalidate: true },
    field("email", t("email"), email), field("password", t("password"), password), top,
    h("button", { type: "submit" }, t("signin_submit")));
  form.addEventListener("submit", (ev) => { ev.preventDefault(); void submit(form, top, () => login(email.value, password.value)); });
  return h("section", { "aria-labelledby": "signin-title" },
    h("h1", { id: "signin-title" }, t("signin_title")),
    notice ? h("p", { class: "notice", role: "status" }, notice) : null,
    form,
    h("p", {}, t("no_account"), " ", h("a", { href: "/register", "data-link": true }, t("nav_register"))));
}

export function registerScreen(): HTMLElement {
  const name = h("input", { type: "text", autocomplete: "name", required: true });
  const email = h("input", { type: "email", autocomplete: "username", required: true });
  const password = h("input", { type: "password", autocomplete: "new-password", required: true });
  const top = formError();
  const form = h("form", { class: "card", novalidate: true },
    field("name", t("name"), name), field("email", t("email"), email), field("password", t("password"), password), top,
    h("button", { type: "submit" }, t("register_submit")));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void submit(form, top, () => register(email.value, password.value, name.value));
  });
  return h("section", { "aria-labelledby": "register-title" },
    h("h1", { id: "register-title" }, t("register_title")),
    form,
    h("p", {}, t("have_account"), " ", h("a", { href: "/signin", "data-link": true }, t("nav_signin"))));
}
