import * as signalR from "@microsoft/signalr";
import { accessToken } from "./api/client";
import { t } from "./i18n";

// Every hub of the page reports here, so one banner speaks for all of them.
const lost = new Set<string>();
let restoredTimer: number | undefined;

function banner(): HTMLElement {
  return document.getElementById("banner")!;
}

function render(failed = false) {
  const el = banner();
  window.clearTimeout(restoredTimer);
  if (failed) {
    el.textContent = t("connection_failed");
    el.className = "banner banner-lost";
    el.hidden = false;
  } else if (lost.size > 0) {
    el.textContent = t("connection_lost");
    el.className = "banner banner-lost";
    el.hidden = false;
  } else if (!el.hidden) {
    el.textContent = t("reconnected");
    el.className = "banner banner-ok";
    restoredTimer = window.setTimeout(() => { el.hidden = true; }, 3_000);
  }
}

/** A hub connection that reconnects on its own and shows the banner while it is away. */
export function connect(path: string): signalR.HubConnection {
  const connection = new signalR.HubConnectionBuilder()
    .withUrl(path, { accessTokenFactory: () => accessToken() })
    // Keeps trying for about a minute and a half, then says so instead of spinning forever.
    .withAutomaticReconnect([0, 1_000, 2_000, 5_000, 10_000, 10_000, 20_000, 30_000])
    .configureLogging(signalR.LogLevel.Warning)
    .build();
  connection.onreconnecting(() => { lost.add(path); render(); });
  connection.onreconnected(() => { lost.delete(path); render(); });
  connection.onclose((error) => {
    const wasLost = lost.delete(path);
    // A close we asked for (sign out, leaving the page) comes without an error and is not news.
    if (error || wasLost) render(true);
  });
  return connection;
}

export async function start(connection: signalR.HubConnection) {
  try {
    await connection.start();
  } catch {
    render(true);
  }
}

export function clearBanner() {
  lost.clear();
  banner().hidden = true;
}
