// English and Spanish. The language comes from the patient's profile once it is known, else from the browser.
const en = {
  skip: "Skip to content",
  nav_signin: "Sign in", nav_register: "Register", nav_profile: "Profile", nav_chat: "Chat", nav_signout: "Sign out",
  email: "Email", password: "Password", name: "Name",
  signin_title: "Sign in", signin_submit: "Sign in", register_title: "Create your account", register_submit: "Register",
  no_account: "No account yet?", have_account: "Already registered?",
  session_ended: "Your session ended. Please sign in again.",
  profile_title: "Medical profile", profile_save: "Save profile", profile_saved: "Profile saved.", profile_updated: "Last updated",
  firstName: "First name", lastName: "Last name", birthDate: "Date of birth", sex: "Sex", phone: "Phone (E.164, e.g. +34600111222)",
  nationalId: "National ID", heightCm: "Height (cm)", weightKg: "Weight (kg)", bloodType: "Blood type",
  allergies: "Allergies (one per line)", conditions: "Conditions (one per line)", dietaryPreferences: "Dietary preferences (one per line)",
  preferredLanguage: "Preferred language", timeZone: "Time zone", country: "Country (ISO code, e.g. ES)",
  not_set: "Not set", fix_errors: "Please correct the highlighted fields.",
  sex_female: "Female", sex_male: "Male", sex_intersex: "Intersex", sex_unknown: "Unknown",
  chat_title: "Assistant", conversations: "Conversations", new_conversation: "New conversation",
  message: "Your message", send: "Send", no_conversations: "No conversations yet.",
  untitled: "Conversation", answering: "The assistant is answering…", emergency: "Emergency",
  you: "You", assistant: "Assistant", messages_count: "messages",
  notifications: "Notifications", no_notifications: "No notifications.", unread: "unread",
  connection_lost: "Connection lost. Reconnecting…", reconnected: "Connection restored.",
  connection_failed: "Could not reconnect. Reload the page to try again.",
  error_generic: "Something went wrong. Please try again.",
  home_title: "Your health, with you", home_text: "Sign in to fill your medical profile and talk to the assistant.",
  language: "Language",
  search: "Search my messages", search_submit: "Search", no_results: "No messages match.",  nav_market: "Marketplace", market_title: "Marketplace", market_new: "Ask doctors for offers", market_mine: "My requests",
  market_symptoms: "What is wrong (symptoms)", market_max_price: "Highest price", market_currency: "Currency (ISO code, e.g. EUR)",
  market_window_from: "Earliest appointment", market_window_to: "Latest appointment", market_closes_at: "Offers close at",
  market_post: "Post request", market_none: "No requests yet.", market_bids: "offers", market_closes: "closes",
  market_no_max: "no limit", market_open: "Open requests in my specialty", market_none_open: "No open requests right now.",
  market_appointments: "My appointments", market_no_appointments: "No appointments yet.", market_complete: "Mark completed",
  market_no_show: "Mark no-show", market_auction: "Request for offers", market_bids_title: "Offers, best first",
  market_no_bids: "No offers yet.", market_closes_in: "Closes in", market_closed_at: "Closed for offers at", market_status: "Status",
  market_window: "Appointment window", market_accept: "Accept", market_withdraw: "Withdraw my offer",
  market_appointment: "Your appointment", market_pay_title: "Pay and accept", market_pay: "Pay and accept",
  market_card_number: "Card number", market_card_holder: "Name on card", market_card_exp_month: "Expiry month",
  market_card_exp_year: "Expiry year", market_card_cvc: "Security code (CVC)", market_your_bid: "Your offer",
  market_price: "Price", market_slot: "Appointment time", market_message: "Message to the patient (optional)",
  market_place_bid: "Send offer", market_bid_placed: "Offer sent.",
  market_status_open: "open", market_status_closed: "closed", market_status_accepted: "accepted", market_status_cancelled: "cancelled",
  market_status_expired: "expired", market_appt_booked: "booked", market_appt_completed: "completed", market_appt_noShow: "no-show",
  market_appt_cancelled: "cancelled", market_specialty: "Specialty", market_specialty_auto: "Choose from my symptoms",
};
type Key = keyof typeof en;
const es: Record<Key, string> = {
  skip: "Saltar al contenido",
  nav_signin: "Entrar", nav_register: "Registrarse", nav_profile: "Perfil", nav_chat: "Chat", nav_signout: "Salir",
  email: "Correo electrónico", password: "Contraseña", name: "Nombre",
  signin_title: "Entrar", signin_submit: "Entrar", register_title: "Crea tu cuenta", register_submit: "Registrarse",
  no_account: "¿Aún no tienes cuenta?", have_account: "¿Ya te registraste?",
  session_ended: "Tu sesión terminó. Vuelve a entrar.",
  profile_title: "Perfil médico", profile_save: "Guardar perfil", profile_saved: "Perfil guardado.", profile_updated: "Actualizado",
  firstName: "Nombre", lastName: "Apellidos", birthDate: "Fecha de nacimiento", sex: "Sexo", phone: "Teléfono (E.164, p. ej. +34600111222)",
  nationalId: "Documento de identidad", heightCm: "Altura (cm)", weightKg: "Peso (kg)", bloodType: "Grupo sanguíneo",
  allergies: "Alergias (una por línea)", conditions: "Enfermedades (una por línea)", dietaryPreferences: "Preferencias alimentarias (una por línea)",
  preferredLanguage: "Idioma preferido", timeZone: "Zona horaria", country: "País (código ISO, p. ej. ES)",
  not_set: "Sin indicar", fix_errors: "Corrige los campos marcados.",
  sex_female: "Mujer", sex_male: "Hombre", sex_intersex: "Intersexual", sex_unknown: "Desconocido",
  chat_title: "Asistente", conversations: "Conversaciones", new_conversation: "Nueva conversación",
  message: "Tu mensaje", send: "Enviar", no_conversations: "Aún no hay conversaciones.",
  untitled: "Conversación", answering: "El asistente está respondiendo…", emergency: "Emergencia",
  you: "Tú", assistant: "Asistente", messages_count: "mensajes",
  notifications: "Notificaciones", no_notifications: "No hay notificaciones.", unread: "sin leer",
  connection_lost: "Conexión perdida. Reconectando…", reconnected: "Conexión restablecida.",
  connection_failed: "No se pudo reconectar. Recarga la página para intentarlo de nuevo.",
  error_generic: "Algo salió mal. Inténtalo de nuevo.",
  home_title: "Tu salud, contigo", home_text: "Entra para completar tu perfil médico y hablar con el asistente.",
  language: "Idioma",
  search: "Buscar en mis mensajes", search_submit: "Buscar", no_results: "Ningún mensaje coincide.",  nav_market: "Ofertas", market_title: "Ofertas de médicos", market_new: "Pide ofertas a los médicos", market_mine: "Mis solicitudes",
  market_symptoms: "Qué te pasa (síntomas)", market_max_price: "Precio máximo", market_currency: "Moneda (código ISO, p. ej. EUR)",
  market_window_from: "Cita desde", market_window_to: "Cita hasta", market_closes_at: "Las ofertas cierran",
  market_post: "Publicar solicitud", market_none: "Aún no hay solicitudes.", market_bids: "ofertas", market_closes: "cierra",
  market_no_max: "sin límite", market_open: "Solicitudes abiertas de mi especialidad", market_none_open: "No hay solicitudes abiertas ahora.",
  market_appointments: "Mis citas", market_no_appointments: "Aún no hay citas.", market_complete: "Marcar realizada",
  market_no_show: "Marcar ausencia", market_auction: "Solicitud de ofertas", market_bids_title: "Ofertas, la mejor primero",
  market_no_bids: "Aún no hay ofertas.", market_closes_in: "Cierra en", market_closed_at: "Cerrada a ofertas el", market_status: "Estado",
  market_window: "Ventana de la cita", market_accept: "Aceptar", market_withdraw: "Retirar mi oferta",
  market_appointment: "Tu cita", market_pay_title: "Pagar y aceptar", market_pay: "Pagar y aceptar",
  market_card_number: "Número de tarjeta", market_card_holder: "Titular de la tarjeta", market_card_exp_month: "Mes de caducidad",
  market_card_exp_year: "Año de caducidad", market_card_cvc: "Código de seguridad (CVC)", market_your_bid: "Tu oferta",
  market_price: "Precio", market_slot: "Hora de la cita", market_message: "Mensaje al paciente (opcional)",
  market_place_bid: "Enviar oferta", market_bid_placed: "Oferta enviada.",
  market_status_open: "abierta", market_status_closed: "cerrada", market_status_accepted: "aceptada", market_status_cancelled: "cancelada",
  market_status_expired: "vencida", market_appt_booked: "reservada", market_appt_completed: "realizada", market_appt_noShow: "no se presentó",
  market_appt_cancelled: "cancelada", market_specialty: "Especialidad", market_specialty_auto: "Elegir según mis síntomas",
};

const dictionaries = { en, es } as const;
export type Lang = keyof typeof dictionaries;
let current: Lang = pick(navigator.languages ?? [navigator.language]);

function pick(tags: readonly string[]): Lang {
  for (const tag of tags) {
    const base = tag.toLowerCase().split("-")[0];
    if (base === "es" || base === "en") return base;
  }
  return "en";
}

export function t(key: Key): string {
  return dictionaries[current][key];
}

export function lang(): Lang {
  return current;
}

/** Called with the profile's preferredLanguage ("es-AR", "en"...); a language we do not have leaves the current one. */
export function setLanguage(tag: string | null | undefined): boolean {
  if (!tag) return false;
  const next = pick([tag]);
  if (!tag.toLowerCase().startsWith(next) || next === current) return false;
  current = next;
  document.documentElement.lang = current;
  return true;
}

let zone: string | undefined;
/** The profile's time zone wins over the browser's; an unknown zone name is ignored rather than breaking every date. */
export function setTimeZone(name: string | null | undefined) {
  if (!name) { zone = undefined; return; }
  try { new Intl.DateTimeFormat("en", { timeZone: name }); zone = name; } catch { zone = undefined; }
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "";
  return new Intl.DateTimeFormat(current, { dateStyle: "medium", timeStyle: "short", timeZone: zone }).format(new Date(iso));
}

document.documentElement.lang = current;
