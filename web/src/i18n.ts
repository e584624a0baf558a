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
  search: "Search my messages", search_submit: "Search", no_results: "No messages match.",
  // Orientation, doctors, booking (issue 13).
  nav_orientation: "Symptoms", nav_doctors: "Doctors", nav_appointments: "Appointments",
  orient_title: "Which specialist?", orient_disclaimer: "Orientation, not a diagnosis. In an emergency call your local emergency number.",
  orient_symptoms: "Describe your symptoms", orient_age: "Age (optional)", orient_submit: "Orient me",
  orient_emergency: "This may be an emergency. Call your local emergency number now.", orient_red_flags: "Warning signs",
  orient_specialty: "Suggested specialty", orient_confidence: "Confidence", orient_alternatives: "Also possible", orient_see_doctors: "See doctors",
  doctors_title: "Doctors", doctors_any: "Any", doctors_specialty: "Specialty", doctors_min_rating: "Minimum rating (0-5)",
  doctors_max_price: "Maximum price", doctors_language: "Language (e.g. es)", doctors_sort: "Sort by", doctors_filter: "Apply filters",
  sort_rating: "Rating", sort_price: "Price", sort_experience: "Experience",
  doctors_found: "doctors", doctors_none: "No doctor matches these filters.", page: "Page", pages: "Pages", previous: "Previous page", next: "Next page",
  years: "years of experience", verified: "Verified", not_verified: "Not verified yet", ratings: "ratings", no_ratings: "No ratings yet",
  ratings_title: "Ratings from patients", slots_title: "Free slots", slots_zone: "Times shown in", slots_none: "No free slots in the next 7 days.",
  book_title: "Book", book_pay: "Book and pay", test_cards: "Test mode: 4242 4242 4242 4242 is approved, 4000 0000 0000 0002 is declined.",
  card_reason: "Reason for the visit", card_holderName: "Name on the card", card_cardNumber: "Card number", card_expMonth: "Expiry month",
  card_expYear: "Expiry year", card_cvc: "Security code (CVC)",
  booked_title: "Appointment booked", paid: "Paid", status: "Status",
  status_booked: "Booked", status_completed: "Completed", status_noShow: "No-show", status_cancelled: "Cancelled",
  appointments_title: "My appointments", appointments_none: "No appointments yet.", cancel: "Cancel", cancelled_refund: "Cancelled. Refunded",
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
  search: "Buscar en mis mensajes", search_submit: "Buscar", no_results: "Ningún mensaje coincide.",
  // Orientación, médicos, reservas (issue 13).
  nav_orientation: "Síntomas", nav_doctors: "Médicos", nav_appointments: "Citas",
  orient_title: "¿Qué especialista?", orient_disclaimer: "Orientación, no un diagnóstico. En una emergencia llama al número de emergencias.",
  orient_symptoms: "Describe tus síntomas", orient_age: "Edad (opcional)", orient_submit: "Orientarme",
  orient_emergency: "Puede ser una emergencia. Llama ahora al número de emergencias.", orient_red_flags: "Señales de alarma",
  orient_specialty: "Especialidad sugerida", orient_confidence: "Confianza", orient_alternatives: "También posible", orient_see_doctors: "Ver médicos",
  doctors_title: "Médicos", doctors_any: "Cualquiera", doctors_specialty: "Especialidad", doctors_min_rating: "Valoración mínima (0-5)",
  doctors_max_price: "Precio máximo", doctors_language: "Idioma (p. ej. es)", doctors_sort: "Ordenar por", doctors_filter: "Aplicar filtros",
  sort_rating: "Valoración", sort_price: "Precio", sort_experience: "Experiencia",
  doctors_found: "médicos", doctors_none: "Ningún médico cumple estos filtros.", page: "Página", pages: "Páginas", previous: "Página anterior", next: "Página siguiente",
  years: "años de experiencia", verified: "Verificado", not_verified: "Aún sin verificar", ratings: "valoraciones", no_ratings: "Aún sin valoraciones",
  ratings_title: "Valoraciones de pacientes", slots_title: "Horarios libres", slots_zone: "Horas en", slots_none: "No hay horarios libres en los próximos 7 días.",
  book_title: "Reservar", book_pay: "Reservar y pagar", test_cards: "Modo de prueba: 4242 4242 4242 4242 se aprueba, 4000 0000 0000 0002 se rechaza.",
  card_reason: "Motivo de la consulta", card_holderName: "Titular de la tarjeta", card_cardNumber: "Número de tarjeta", card_expMonth: "Mes de caducidad",
  card_expYear: "Año de caducidad", card_cvc: "Código de seguridad (CVC)",
  booked_title: "Cita reservada", paid: "Pagado", status: "Estado",
  status_booked: "Reservada", status_completed: "Completada", status_noShow: "No acudió", status_cancelled: "Cancelada",
  appointments_title: "Mis citas", appointments_none: "Aún no tienes citas.", cancel: "Cancelar", cancelled_refund: "Cancelada. Reembolso",
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

/** The zone screens show times in: the profile's, else the browser's. */
export function viewTimeZone(): string {
  return zone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
}
