// Progressive enhancement only: every page works without this file.
document.body.classList.add('js-enabled');
if ('noModule' in HTMLScriptElement.prototype) {
  document.body.classList.add('govuk-frontend-supported');
}
import('../govuk-frontend/dist/govuk/govuk-frontend.min.js').then(function (govuk) {
  govuk.initAll();
});
// Elements with data-auto-submit submit their form when changed (e.g. a language picker).
document.querySelectorAll('[data-auto-submit]').forEach(function (el) {
  el.addEventListener('change', function () { el.form.submit(); });
});
// Elements with data-refresh-seconds reload the page periodically (import progress).
var refresh = document.querySelector('[data-refresh-seconds]');
if (refresh) {
  setTimeout(function () { window.location.reload(); }, 1000 * parseInt(refresh.getAttribute('data-refresh-seconds'), 10));
}
