// The host page learns what the form does through DOM events; the widget
// itself needs no code on the page.
const status = document.getElementById('status');
document.addEventListener('efa-submitted', (event) => {
  status.textContent = `Vorgang ${event.detail.receipt ?? ''} ist eingegangen.`;
});
