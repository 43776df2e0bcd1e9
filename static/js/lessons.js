// Lessons: the catalog's presets as a menu of links (/?lesson=<id>), and the
// card that shows the opened lesson's text until it is dismissed.
// Picked from the menu, a lesson is applied to this very session (its whole
// setup, from step 0): the class watching it follows, and its watch link stays.
// Opened as a link (a new tab, a link typed in), it starts its own session.

import { lessonById, lessonFromLink } from './link.js';
import { announce } from './notice.js';
import { focusables, keyboardPanel, placeInWindow } from './popup.js';
import { pauseHere } from './transport.js';

// read before the share link rewrites the address bar
const OPENED_WITH = location.search;

export function createLessons(store, { statusbar, apply, send, notify }) {
  const presets = store.catalog.presets ?? [];
  const wrap = document.createElement('div');
  wrap.className = 'lessons';
  wrap.innerHTML = `<button type="button" class="btn view-control" data-testid="lessons-button" aria-expanded="false"
      title="Lessons: ready-made situations, each with what to look at">Lessons ▾</button>
    <div class="lessons-menu" data-testid="lessons-menu" hidden role="menu">
      <p class="lessons-intro">Each lesson sets up this session afresh, from step 0 (a class watching it follows). Its link can be shared; opened as a link, it starts a session of its own.</p>
      ${presets.map((p) => `<a role="menuitem" href="/?lesson=${encodeURIComponent(p.id)}" data-testid="lesson-link" data-lesson="${p.id}" title="Open the lesson “${p.title}”">
        <span class="lesson-title">${p.title}</span><span class="lesson-text">${p.text}</span></a>`).join('')}
    </div>`;
  statusbar.append(wrap);
  const button = wrap.querySelector('button'), menu = wrap.querySelector('.lessons-menu');
  if (store.readonly) {
    // a watch page has no session of its own to set up: a lesson opens in a new tab,
    // and this one keeps following the class (it used to leave it without a word)
    menu.querySelector('.lessons-intro').textContent = 'You are following the class: a lesson opens in a new tab, as a session of your own, and this page keeps following.';
    for (const a of menu.querySelectorAll('[data-lesson]')) {
      Object.assign(a, { target: '_blank', rel: 'noopener' });
      a.title = `${a.title} in a new tab, as a session of your own`;
    }
  }
  button.setAttribute('aria-haspopup', 'menu');
  const setOpen = (on, refocus = false) => {
    menu.hidden = !on;
    // inside the window, as the other popups: under its button, or over it where only there is it whole,
    // scrolling in itself. (At most the window below its top, and at least 160 px, made a 160 px box
    // that ran past the bottom of a phone's screen, its button being low on it; and at 1366 × 768,
    // before that, the last lesson lay under the window's edge.)
    if (on) {
      place(true);
      menu.scrollTop = 0; // from its top each time: the intro and the first lessons (it kept the last scroll)
    }
    button.setAttribute('aria-expanded', String(on));
    if (!on && (refocus || menu.contains(document.activeElement))) button.focus({ preventScroll: true });
  };
  // opened with Enter or Space (no pointer: detail 0) the focus goes to the first lesson; ↑/↓ move (popup.js)
  button.addEventListener('click', (ev) => {
    ev.stopPropagation();
    setOpen(menu.hidden);
    if (!menu.hidden && ev.detail === 0) focusables(menu)[0]?.focus({ preventScroll: true });
  });
  /** `scroll`: where the menu is whole neither under nor over its button (a phone), the page
   * scrolls the button up, as far as that gives the menu more room under it. */
  function place(scroll = false) {
    menu.style.position = 'fixed'; // in the window, wherever the page is scrolled (its button may be low on a phone)
    const got = placeInWindow(menu, button.getBoundingClientRect(), { gap: 6 });
    if (!scroll || got.whole) return;
    const r = button.getBoundingClientRect();
    const below = innerHeight - 8 - (r.bottom + 6);
    const page = document.scrollingElement ?? document.documentElement;
    const by = Math.min(got.height - below, r.top - 8, page.scrollHeight - innerHeight - page.scrollTop);
    if (by <= 0 || below + by <= got.room) return;
    window.scrollBy({ top: by, behavior: 'instant' });
    placeInWindow(menu, button.getBoundingClientRect(), { gap: 6 });
  }
  window.addEventListener('resize', () => { if (!menu.hidden) place(); });
  keyboardPanel(menu, (refocus) => setOpen(false, refocus));
  document.addEventListener('click', (ev) => { if (!wrap.contains(ev.target)) setOpen(false); });
  document.addEventListener('keydown', (ev) => { if (ev.key === 'Escape') setOpen(false); });

  let card = null;
  function showCard(lesson) {
    card?.remove();
    card = document.createElement('div');
    card.className = 'lesson-card';
    card.dataset.testid = 'lesson-card';
    card.dataset.lesson = lesson.id;
    card.innerHTML = `<div><span class="lesson-card-kicker">Lesson</span> <b class="lesson-card-title"></b></div>
      <p class="lesson-card-text" data-testid="lesson-text"></p>
      <button type="button" class="icon-btn tiny lesson-card-close" data-testid="lesson-dismiss" title="Dismiss the lesson's text" aria-label="Dismiss the lesson's text">✕</button>`;
    card.querySelector('.lesson-card-title').textContent = lesson.title;
    card.querySelector('.lesson-card-text').textContent = lesson.text;
    card.querySelector('button').addEventListener('click', () => {
      card.remove();
      card = null;
      store.setLesson(null);
    });
    statusbar.insertBefore(card, wrap);
    store.setLesson(lesson.id); // the address and the share link keep naming it, so a reload shows the card again
  }

  /** The lesson's whole setup: its own values, every other setting at the
   * engine's default (the catalog's `setup`: also the features, loss and output
   * its data set gets, which a null would have left as the session had them). */
  function lessonSetup(lesson) {
    const { points, task, ...setup } = lesson.setup; // a lesson's data is a built-in set
    return setup;
  }

  async function openHere(lesson) {
    setOpen(false);
    pauseHere(store, send);
    const setup = lessonSetup(lesson);
    const partial = Object.fromEntries(Object.entries(setup).filter(([k, v]) => JSON.stringify(store.config[k]) !== JSON.stringify(v)));
    if (!(await apply(partial, { quiet: true, failure: (why) => `The lesson could not be opened: ${why}` }))) return;
    send({ type: 'reset' }); // from step 0, whatever changed (the seed is the lesson's)
    showCard(lesson);
    notify(`Lesson “${lesson.title}” set up in this session, from step 0${store.watchId ? ': anyone watching follows it' : ''}.`, 'info');
  }

  menu.addEventListener('click', (ev) => {
    const link = ev.target.closest('[data-lesson]');
    // a watch page has no session of its own to set up: there the link opens a session of one's own
    if (!link || store.readonly || ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.button !== 0) return;
    const lesson = lessonById(store.catalog, link.dataset.lesson);
    if (!lesson) return;
    ev.preventDefault();
    if (store.held) { // explain mode, or points being drawn, hold this session where it is
      setOpen(false);
      notify(store.holds.has('explain')
        ? 'Close Explain (✕ or Esc) first: a lesson sets this session up afresh.'
        : 'Finish your own points first (or pick another data set): a lesson sets this session up afresh.', 'info');
      return;
    }
    openHere(lesson);
  });

  const lesson = lessonFromLink(OPENED_WITH, store.catalog);
  if (store.readonly) followWatchedLesson(lesson);
  else if (lesson) showCard(lesson);
  return { lesson };

  /** A watch page shows the card of the lesson the session is set up for, as
   * the teacher changes it: the lesson whose every setting the session has;
   * failing that, the one shown so far (or named by the watch link's ?lesson=)
   * while the session is still on its data set: its text may ask for a change
   * ("switch the activation to ReLU"), and a student must not lose the card
   * for doing what it says. Another data set is another subject. */
  function followWatchedLesson(hint) {
    const props = new Map(store.catalog.config.map((p) => [p.name, p]));
    const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
    const holds = (l) => Object.entries(l.config).every(([k, v]) => same(store.config[k], v));
    const onItsData = (l) => same(store.config.dataset, l.config.dataset ?? props.get('dataset')?.default);
    let dismissed = null;
    const sync = () => {
      if (!store.config) return;
      const shown = lessonById(store.catalog, store.lesson);
      const exact = presets.filter(holds).sort((a, b) => Object.keys(b.config).length - Object.keys(a.config).length);
      const next = exact.find((l) => l.id === shown?.id) ?? exact[0] ?? (shown && onItsData(shown) ? shown : null);
      if (next?.id === shown?.id && (card || !next)) return;
      card?.remove();
      card = null;
      store.setLesson(null);
      if (next && next.id !== dismissed) {
        showCard(next);
        // a student on a screen reader hears what the class now sees (the card is in no live region)
        if (ready) announce(`The teacher opened the lesson “${next.title}”. ${next.text}`);
      }
    };
    let ready = false;
    if (hint && onItsData(hint)) showCard(hint);
    store.on('config', sync);
    sync();
    ready = true;
    statusbar.addEventListener('click', (ev) => { // a student who closes the card keeps it closed
      if (ev.target.closest('[data-testid=lesson-dismiss]')) dismissed = card?.dataset.lesson ?? store.lesson ?? dismissed;
    }, true);
  }
}
