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
  nav_record: "Health record", nav_alarms: "Alarms", nav_consents: "Sharing", nav_admin: "Admin",
  record_title: "Health record", vital_log: "Log a vital sign", vital_type: "Vital sign", vital_value: "Value", vital_unit: "Unit",
  systolic: "Systolic (mmHg)", diastolic: "Diastolic (mmHg)", vital_when: "When", vital_note: "Note", vital_save: "Save reading",
  vital_saved: "Saved.", vital_blood_pressure: "Blood pressure", vital_heart_rate: "Heart rate", vital_glucose: "Glucose",
  vital_temperature: "Temperature", vital_spo2: "Oxygen saturation", vital_weight: "Weight", vital_respiratory_rate: "Respiratory rate",
  trends: "Trends", period: "Period", last_days: "Last {n} days", chart_empty: "No readings in this period.",
  insights_caption: "Readings in the period, by vital sign", count: "Readings", average: "Average", range: "Min–max",
  normal_range: "Normal range", out_of_range: "Out of range", readings: "Readings", when: "When", reading: "Reading",
  no_readings: "No readings yet.", load_more: "Load more",
  alarms_title: "Medication alarms", alarms_window: "From yesterday to a week ahead.", no_alarms: "No alarms.",
  alarm_taken_action: "Taken", alarm_skipped_action: "Skip", alarm_status_open: "Open", alarm_status_taken: "Taken",
  alarm_status_skipped: "Skipped", alarm_late: "Late",
  consents_title: "Sharing my record", grant_title: "Let a doctor read my record", doctor_from_catalog: "Doctor (from the catalog)",
  doctor_id: "Doctor id", until_date: "Until (leave empty for two years)", grant: "Grant access", granted: "Access granted to",
  consents_current: "Who may read my record now", basis_consent: "My consent", basis_appointment: "An appointment", until: "until",
  withdraw: "Withdraw", no_consents: "Nobody besides you.", access_log: "Who read my record", who: "Who", what: "What",
  basis: "Basis", denied: "Denied", no_reads: "Nobody has read your record yet.",
  admin_title: "Administration", credentials_pending: "Credentials waiting for review", no_pending: "No credentials are waiting.",
  approve: "Approve", reject: "Reject", reject_reason: "Reason (to reject)", decided: "Decision saved.", license: "License",
  new_specialty: "New specialty", description: "Description", create: "Create", created: "Created",
  new_doctor: "New doctor", specialty: "Specialty", admin_years: "Years of experience", price: "Price", currency: "Currency (e.g. USD)",
  languages: "Languages (comma separated, e.g. en, es)", change_role: "Change a user's role", role: "Role",
  role_patient: "Patient", role_doctor: "Doctor", role_admin: "Admin", no_such_user: "No user has this email.",
  nav_market: "Marketplace", market_title: "Marketplace", market_new: "Ask doctors for offers", market_mine: "My requests",
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
  chat_interrupted: "The connection dropped during the answer. It is shown in full when the connection is back.",
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
  nav_record: "Historial de salud", nav_alarms: "Alarmas", nav_consents: "Compartir", nav_admin: "Administración",
  record_title: "Historial de salud", vital_log: "Registrar un signo vital", vital_type: "Signo vital", vital_value: "Valor", vital_unit: "Unidad",
  systolic: "Sistólica (mmHg)", diastolic: "Diastólica (mmHg)", vital_when: "Cuándo", vital_note: "Nota", vital_save: "Guardar lectura",
  vital_saved: "Guardado.", vital_blood_pressure: "Presión arterial", vital_heart_rate: "Frecuencia cardiaca", vital_glucose: "Glucosa",
  vital_temperature: "Temperatura", vital_spo2: "Saturación de oxígeno", vital_weight: "Peso", vital_respiratory_rate: "Frecuencia respiratoria",
  trends: "Tendencias", period: "Periodo", last_days: "Últimos {n} días", chart_empty: "No hay lecturas en este periodo.",
  insights_caption: "Lecturas del periodo, por signo vital", count: "Lecturas", average: "Media", range: "Mín–máx",
  normal_range: "Rango normal", out_of_range: "Fuera de rango", readings: "Lecturas", when: "Cuándo", reading: "Lectura",
  no_readings: "Aún no hay lecturas.", load_more: "Cargar más",
  alarms_title: "Alarmas de medicación", alarms_window: "Desde ayer hasta dentro de una semana.", no_alarms: "No hay alarmas.",
  alarm_taken_action: "Tomada", alarm_skipped_action: "Omitir", alarm_status_open: "Pendiente", alarm_status_taken: "Tomada",
  alarm_status_skipped: "Omitida", alarm_late: "Con retraso",
  consents_title: "Compartir mi historial", grant_title: "Permitir que un médico lea mi historial", doctor_from_catalog: "Médico (del catálogo)",
  doctor_id: "Id del médico", until_date: "Hasta (vacío: dos años)", grant: "Dar acceso", granted: "Acceso dado a",
  consents_current: "Quién puede leer mi historial ahora", basis_consent: "Mi consentimiento", basis_appointment: "Una cita", until: "hasta",
  withdraw: "Retirar", no_consents: "Nadie más que tú.", access_log: "Quién leyó mi historial", who: "Quién", what: "Qué",
  basis: "Base", denied: "Denegado", no_reads: "Nadie ha leído tu historial todavía.",
  admin_title: "Administración", credentials_pending: "Credenciales por revisar", no_pending: "No hay credenciales pendientes.",
  approve: "Aprobar", reject: "Rechazar", reject_reason: "Motivo (para rechazar)", decided: "Decisión guardada.", license: "Matrícula",
  new_specialty: "Nueva especialidad", description: "Descripción", create: "Crear", created: "Creado",
  new_doctor: "Nuevo médico", specialty: "Especialidad", admin_years: "Años de experiencia", price: "Precio", currency: "Moneda (p. ej. USD)",
  languages: "Idiomas (separados por comas, p. ej. en, es)", change_role: "Cambiar el rol de un usuario", role: "Rol",
  role_patient: "Paciente", role_doctor: "Médico", role_admin: "Administrador", no_such_user: "Ningún usuario tiene este correo.",
  nav_market: "Ofertas", market_title: "Ofertas de médicos", market_new: "Pide ofertas a los médicos", market_mine: "Mis solicitudes",
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
  chat_interrupted: "La conexión se cortó durante la respuesta. Se mostrará completa cuando vuelva la conexión.",
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
