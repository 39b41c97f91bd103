// The status line: short confirmations and errors in a corner, announced to screen readers.

let timer;

/** Shows a message for a few seconds; errors stay longer. */
export function flash(message, isError = false) {
  const el = document.getElementById('status');
  el.textContent = message;
  el.className = isError ? 'error' : 'ok';
  clearTimeout(timer);
  timer = setTimeout(() => (el.textContent = ''), isError ? 15_000 : 6000);
}
