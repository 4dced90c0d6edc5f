// Light behaviour only: confirm irreversible actions, keep double clicks from double-posting.
document.addEventListener('submit', function (ev) {
  var form = ev.target;
  var btn = ev.submitter || form.querySelector('button[type=submit]');
  var msg = btn && btn.getAttribute('data-confirm');
  if (msg && !window.confirm(msg)) { ev.preventDefault(); return; }
  if (btn) { setTimeout(function () { btn.disabled = true; }, 0); }
});
