// The status line: short confirmations and errors, announced to screen readers.

let timer;

/** Shows a message for a few seconds; errors stay until the next message. */
export function flash(message, isError = false) {
  const el = document.getElementById('status');
  el.textContent = message;
  el.className = isError ? 'error' : 'ok';
  clearTimeout(timer);
  if (!isError) timer = setTimeout(() => (el.textContent = ''), 6000);
}
