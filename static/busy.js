/**
 * Busy state for every plain form post (sign in, create, save…): from the submit until the next
 * page arrives, the form is aria-busy and its submit button shows a spinner (styles.css, still when
 * the user prefers reduced motion), says its `data-busy-label` if it has one ("Saving…"), and is
 * disabled, so a second click or Enter cannot post the form twice. Forms an island handles itself
 * (their submit is cancelled) are left alone; a page restored by Back is made usable again.
 */
(() => {
  const BUSY = "data-busy";

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || event.defaultPrevented) return;
    if ((form.getAttribute("method") ?? "get").toLowerCase() !== "post") return;
    if (form.hasAttribute(BUSY)) {
      event.preventDefault(); // the first post is still on its way
      return;
    }
    form.setAttribute(BUSY, "");
    form.setAttribute("aria-busy", "true");
    const button = event.submitter ?? form.querySelector("button:not([type=button])");
    if (!(button instanceof HTMLButtonElement)) return;
    button.setAttribute("aria-busy", "true");
    button.dataset.idleLabel = button.innerHTML;
    if (button.dataset.busyLabel) button.textContent = button.dataset.busyLabel;
    // Disabled after the form data is gathered, so the button's own name and value are still sent.
    setTimeout(() => button.disabled = true);
  });

  addEventListener("pageshow", (event) => {
    if (!event.persisted) return;
    for (const form of document.querySelectorAll(`form[${BUSY}]`)) {
      form.removeAttribute(BUSY);
      form.removeAttribute("aria-busy");
    }
    for (const button of document.querySelectorAll("button[data-idle-label]")) {
      button.innerHTML = button.dataset.idleLabel;
      delete button.dataset.idleLabel;
      button.removeAttribute("aria-busy");
      button.disabled = false;
    }
  });
})();
