// Light behaviour only: confirm irreversible actions, keep double clicks from double-posting.
document.addEventListener('submit', function (ev) {
  var form = ev.target;
  var btn = ev.submitter || form.querySelector('button[type=submit]');
  var msg = btn && btn.getAttribute('data-confirm');
  if (msg && !window.confirm(msg)) { ev.preventDefault(); return; }
  if (btn) { setTimeout(function () { btn.disabled = true; }, 0); }
});
// The menu button of narrow screens opens and closes the navigation.
document.addEventListener('click', function (ev) {
  var btn = ev.target.closest && ev.target.closest('#menu-toggle');
  if (!btn) { return; }
  var header = btn.closest('header');
  var open = header.classList.toggle('open');
  btn.setAttribute('aria-expanded', open ? 'true' : 'false');
});
