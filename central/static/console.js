// The console's only script: forms marked data-confirm ask before they are sent
// (restart a kiosk's screen, roll back, resume a rollout that halted on failures).
document.addEventListener("submit", (event) => {
  const form = event.target;
  const question = form instanceof HTMLFormElement ? form.dataset.confirm : undefined;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
