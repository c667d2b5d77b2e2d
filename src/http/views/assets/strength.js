// Live password-strength meter for the reset flow's "Create a new password" page. Progressive enhancement
// only: without this script the "Check strength" button gives the same server-side feedback. The password
// goes only to our own origin (CSP connect-src 'self'), in a POST body, bound to the flow by its cookie.
(() => {
  const box = document.getElementById("strength");
  const input = document.getElementById("f-password");
  const meter = document.getElementById("strength-meter");
  const text = document.getElementById("strength-text");
  const list = document.getElementById("strength-feedback");
  if (!box || !input || !meter || !text || !list) return;
  const flowId = box.getAttribute("data-flow");
  if (!flowId || !/^[0-9a-z]{10,40}$/.test(flowId)) return;
  let timer = null;
  let sequence = 0;
  let submitted = false;
  // Once the form is submitted the flow moves on; a late meter request would only meet a finished flow.
  input.form?.addEventListener("submit", () => {
    submitted = true;
    clearTimeout(timer);
  });
  async function update() {
    if (submitted) return;
    const mine = ++sequence;
    const password = input.value;
    if (password === "") {
      meter.value = 0;
      text.textContent = "";
      list.replaceChildren();
      return;
    }
    try {
      const response = await fetch(`/api/v1/reset/${flowId}/strength`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        credentials: "same-origin",
        body: JSON.stringify({ password }),
      });
      if (!response.ok || mine !== sequence) return;
      const result = await response.json();
      meter.value = result.score;
      text.textContent = result.label;
      list.replaceChildren(
        ...result.feedback.map((line) => {
          const item = document.createElement("li");
          item.textContent = line;
          return item;
        }),
      );
    } catch {
      // The meter is a hint; the server checks the policy on submit anyway.
    }
  }
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(update, 250);
  });
})();
