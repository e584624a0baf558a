import { logout, onSession, signedIn } from "./api/client";
import { t } from "./i18n";
import { clearBanner } from "./live";
import { navigate, setRenderer } from "./router";
import { bell, stopBell } from "./screens/bell";
import { appointmentsScreen, doctorScreen, doctorsScreen, orientationScreen } from "./screens/booking";
import { registerScreen, signInScreen } from "./screens/auth";
import { chatScreen, stopChat } from "./screens/chat";
import { loadProfile, profileScreen } from "./screens/profile";
import { marketScreen, stopMarket } from "./screens/market";
import { h, navMenu } from "./ui";
import { adminScreen, forgetRole, myRole } from "./screens/admin";
import { alarmsScreen } from "./screens/alarms";
import { consentsScreen } from "./screens/consents";
import { recordScreen } from "./screens/record";
import { consultationsScreen, stopConsultations } from "./screens/consultations";
import { casesScreen, stopCases } from "./screens/cases";
import { credentialsScreen, scheduleScreen } from "./screens/doctor";

const main = document.getElementById("main")!;
const nav = document.getElementById("nav")!;
let notice: string | undefined;
let bellShown = false;

// Health record and admin screens: path -> [screen, title key]; patients see the first three, admins the last.
const recordRoutes = { "/record": [recordScreen, "record_title"], "/alarms": [alarmsScreen, "alarms_title"], "/consents": [consentsScreen, "consents_title"] } as const;
let role: string | null = null;

function renderNav(path: string) {
  const link = (href: string, label: string) =>
    h("a", { href, "data-link": true, "aria-current": path.startsWith(href) ? "page" : undefined }, label);
  if (!signedIn()) {
    bellShown = false;
    nav.replaceChildren(link("/signin", t("nav_signin")), link("/register", t("nav_register")));
    return;
  }
  const out = h("button", { type: "button", class: "secondary" }, t("nav_signout"));
  out.addEventListener("click", () => void logout());
  // The bell keeps its live connection across screens; it is rebuilt only after a sign-in.
  const existing = bellShown ? nav.querySelector(".bell-wrap") : null;
  const market = link("/market", t("nav_market"));
  const consult = link("/consultations", t("nav_consultations"));
  const extra = role === "admin" ? [link("/admin", t("nav_admin"))]
    : role === "patient" ? [link("/orientation", t("nav_orientation")), link("/doctors", t("nav_doctors")),
        link("/appointments", t("nav_appointments")), market, link("/record", t("nav_record")), link("/alarms", t("nav_alarms")),
        link("/consents", t("nav_consents")), consult]
    : role === "doctor" ? [market, consult, link("/cases", t("nav_cases")), link("/schedule", t("nav_schedule")), link("/credentials", t("nav_credentials"))] : [];
  nav.replaceChildren(...navMenu(t("nav_menu"), link("/profile", t("nav_profile")), link("/chat", t("nav_chat")), ...extra), existing ?? bell(), out);
  bellShown = true;
}

let generation = 0;

async function render() {
  // A render that finishes after a newer one began (a sign-out while the profile loads) must not draw over it.
  const mine = ++generation;
  const path = location.pathname;
  document.querySelector(".skip")!.textContent = t("skip");
  if (signedIn()) role = await myRole();
  if (mine !== generation) return;
  renderNav(path);
  // The market's live connections belong to its screen; any other screen closes them.
  if (!path.startsWith("/market")) void stopMarket();
  if (!path.startsWith("/consultations")) void stopConsultations();
  if (!path.startsWith("/cases")) void stopCases();
  try {
    let screen: HTMLElement;
    if (!signedIn()) {
      if (path === "/register") screen = registerScreen();
      else if (path === "/signin") screen = signInScreen(notice);
      else { history.replaceState(null, "", "/signin"); screen = signInScreen(notice); }
      document.title = `${path === "/register" ? t("register_title") : t("signin_title")} · HealthActors`;
    } else if (path.startsWith("/market")) {
      screen = await marketScreen(path);
      document.title = `${t("market_title")} · HealthActors`;
    } else if (path.startsWith("/consultations") && (role === "patient" || role === "doctor")) {
      screen = await consultationsScreen(path, role);
      document.title = `${t("consult_title")} · HealthActors`;
    } else if (role === "doctor" && (path.startsWith("/cases") || path === "/schedule" || path === "/credentials")) {
      screen = path === "/schedule" ? await scheduleScreen() : path === "/credentials" ? await credentialsScreen() : await casesScreen(path);
      document.title = `${screen.querySelector("h1")?.textContent ?? ""} · HealthActors`;
    } else if (path.startsWith("/chat")) {
      screen = await chatScreen(path.split("/")[2] || undefined);
      document.title = `${t("chat_title")} · HealthActors`;
    } else if (path === "/orientation" || path === "/appointments" || path.startsWith("/doctors")) {
      // Times on these screens are in the profile's zone (and words in its language), so it is read first.
      await loadProfile();
      renderNav(location.pathname);
      const id = path.split("/")[2];
      screen = path === "/orientation" ? orientationScreen()
        : path === "/appointments" ? await appointmentsScreen()
        : id ? await doctorScreen(id) : await doctorsScreen();
      document.title = `${screen.querySelector("h1")?.textContent ?? ""} · HealthActors`;
    } else if (path in recordRoutes && role === "patient") {
      const [screen_, title] = recordRoutes[path as keyof typeof recordRoutes];
      screen = await screen_();
      document.title = `${t(title)} · HealthActors`;
    } else if (path === "/admin" && role === "admin") {
      screen = await adminScreen();
      document.title = `${t("admin_title")} · HealthActors`;
    } else if (role === "admin") {
      history.replaceState(null, "", "/admin");
      renderNav("/admin");
      screen = await adminScreen();
      document.title = `${t("admin_title")} · HealthActors`;
    } else {
      if (path !== "/profile") history.replaceState(null, "", "/profile");
      const profile = await loadProfile();
      // The profile may have switched the language: draw the chrome again in it.
      renderNav(location.pathname);
      document.querySelector(".skip")!.textContent = t("skip");
      screen = profileScreen(profile, () => void render());
      document.title = `${t("profile_title")} · HealthActors`;
    }
    if (mine !== generation) return;
    notice = undefined;
    main.replaceChildren(screen);
  } catch {
    if (mine !== generation) return;
    main.replaceChildren(h("p", { class: "form-error", role: "alert" }, t("error_generic")));
  }
}

onSession((reason) => {
  forgetRole();
  role = null;
  if (reason === "signedIn") { notice = undefined; return; }
  void stopChat();
  void stopBell();
  void stopMarket();
  void stopConsultations();
  void stopCases();
  clearBanner();
  notice = reason === "expired" ? t("session_ended") : undefined;
  navigate("/signin");
});

setRenderer(() => void render());
void render();
