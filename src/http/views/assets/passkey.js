// Passkey ceremonies (progressive enhancement: without JavaScript the page explains that passkeys need it
// and offers the other methods). A form marked `data-webauthn="create|get"` carries the server's options in
// `data-options`; the button runs the browser ceremony with @simplewebauthn/browser, puts the JSON result in
// the hidden `response` field and submits the form.
(() => {
  const lib = window.SimpleWebAuthnBrowser;
  for (const form of document.querySelectorAll("form[data-webauthn]")) {
    const mode = form.getAttribute("data-webauthn");
    const button = form.querySelector("[data-webauthn-start]");
    const field = form.querySelector('input[name="response"]');
    const status = form.querySelector("[data-webauthn-status]");
    for (const hint of form.querySelectorAll("[data-needs-js]")) hint.hidden = true;
    if (button === null || field === null || lib === undefined) continue;
    if (!lib.browserSupportsWebAuthn()) {
      if (status !== null) status.textContent = form.getAttribute("data-unsupported") || "";
      continue;
    }
    button.hidden = false;
    button.addEventListener("click", async (event) => {
      event.preventDefault();
      button.disabled = true;
      try {
        const optionsJSON = JSON.parse(form.getAttribute("data-options") || "{}");
        const result =
          mode === "create"
            ? await lib.startRegistration({ optionsJSON })
            : await lib.startAuthentication({ optionsJSON });
        field.value = JSON.stringify(result);
        form.submit();
      } catch (error) {
        button.disabled = false;
        if (status !== null) status.textContent = form.getAttribute("data-failed") || String(error);
      }
    });
    if (form.hasAttribute("data-autostart")) button.click();
  }
})();
