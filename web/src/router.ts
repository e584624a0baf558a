// History routing: the Api answers every non-API path with index.html, so deep links and reloads work.
type Render = () => void;
let render: Render = () => {};

export function setRenderer(r: Render) {
  render = r;
}

export function navigate(path: string) {
  if (location.pathname !== path) history.pushState(null, "", path);
  render();
}

window.addEventListener("popstate", () => render());
document.addEventListener("click", (ev) => {
  const link = (ev.target as Element).closest?.("a[data-link]") as HTMLAnchorElement | null;
  if (!link || ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.button !== 0) return;
  ev.preventDefault();
  navigate(new URL(link.href).pathname);
});
