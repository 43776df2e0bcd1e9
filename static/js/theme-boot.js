// Runs before the page paints (a classic script in <head>): picks the theme —
// the visitor's own choice if they made one, else the system setting — so the
// page never flashes the wrong colours. theme.js owns the toggle afterwards.
(function () {
  var choice = null;
  try { choice = localStorage.getItem('chainrule-theme'); } catch (e) { /* storage off */ }
  var params = new URLSearchParams(location.search);
  if (params.get('theme') === 'light' || params.get('theme') === 'dark') choice = params.get('theme');
  var dark = choice ? choice === 'dark' : window.matchMedia('(prefers-color-scheme: dark)').matches;
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
  if (params.get('present') === '1') document.documentElement.classList.add('presenting');
})();
