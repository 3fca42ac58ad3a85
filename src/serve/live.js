// Added to pages by `tellyou serve` only. Reloads the page after a good rebuild, and
// shows the build's errors over the page after a failed one.
(() => {
  "use strict";
  const overlayId = "tellyou-errors";

  function showErrors(findings) {
    const errors = findings.filter((finding) => finding.error);
    const warnings = findings.length - errors.length;
    document.getElementById(overlayId)?.remove();
    if (!document.querySelector("link[data-tellyou]")) {
      const style = document.createElement("link");
      style.rel = "stylesheet";
      style.href = "/__tellyou/overlay.css";
      style.dataset.tellyou = "";
      document.head.append(style);
    }
    const overlay = document.createElement("div");
    overlay.id = overlayId;
    overlay.setAttribute("role", "alertdialog");
    overlay.setAttribute("aria-modal", "true");
    overlay.setAttribute("aria-labelledby", overlayId + "-title");
    overlay.setAttribute("aria-describedby", overlayId + "-about");

    const title = document.createElement("h2");
    title.id = overlayId + "-title";
    title.textContent =
      errors.length === 1 ? "The site has 1 error" : `The site has ${errors.length} errors`;
    const about = document.createElement("p");
    about.id = overlayId + "-about";
    about.textContent =
      "You are seeing the last version that built. Fix the errors and save: this page reloads by itself." +
      (warnings === 0
        ? ""
        : warnings === 1
          ? " There is 1 warning too, after the errors: it does not stop the build."
          : ` There are ${warnings} warnings too, after the errors: they do not stop the build.`);
    overlay.append(title, about);
    for (const finding of findings) {
      const pre = document.createElement("pre");
      pre.textContent = finding.text;
      overlay.append(pre);
    }
    const hide = document.createElement("button");
    hide.type = "button";
    hide.textContent = "Hide the errors";
    hide.addEventListener("click", () => overlay.remove());
    overlay.append(hide);
    document.body.append(overlay);
    hide.focus();
  }

  // The build this page comes from: if a newer one finished while it loaded, the
  // server says to reload as soon as the page listens.
  const build = new URL(document.currentScript.src).searchParams.get("build");
  const query = build ? `?build=${encodeURIComponent(build)}` : "";
  const events = new EventSource(`/__tellyou/events${query}`);
  events.addEventListener("reload", () => location.reload());
  events.addEventListener("errors", (event) => showErrors(JSON.parse(event.data)));
})();
