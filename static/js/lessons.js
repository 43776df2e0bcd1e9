// Lessons: the catalog's presets as a menu of links (/?lesson=<id>), and the
// card that shows the opened lesson's text until it is dismissed.

import { lessonFromLink } from './link.js';

// read before the share link rewrites the address bar
const OPENED_WITH = location.search;

export function createLessons(store, { statusbar }) {
  const presets = store.catalog.presets ?? [];
  const wrap = document.createElement('div');
  wrap.className = 'lessons';
  wrap.innerHTML = `<button type="button" class="btn view-control" data-testid="lessons-button" aria-expanded="false"
      title="Lessons: ready-made situations, each with what to look at">Lessons ▾</button>
    <div class="lessons-menu" data-testid="lessons-menu" hidden role="menu">
      <p class="lessons-intro">Each lesson opens a prepared setup in a fresh session. Its link can be shared with a class.</p>
      ${presets.map((p) => `<a role="menuitem" href="/?lesson=${encodeURIComponent(p.id)}" data-testid="lesson-link" data-lesson="${p.id}" title="Open the lesson “${p.title}”">
        <span class="lesson-title">${p.title}</span><span class="lesson-text">${p.text}</span></a>`).join('')}
    </div>`;
  statusbar.append(wrap);
  const button = wrap.querySelector('button'), menu = wrap.querySelector('.lessons-menu');
  const setOpen = (on) => { menu.hidden = !on; button.setAttribute('aria-expanded', String(on)); };
  button.addEventListener('click', (ev) => { ev.stopPropagation(); setOpen(menu.hidden); });
  document.addEventListener('click', (ev) => { if (!wrap.contains(ev.target)) setOpen(false); });
  document.addEventListener('keydown', (ev) => { if (ev.key === 'Escape') setOpen(false); });

  const lesson = lessonFromLink(OPENED_WITH, store.catalog);
  if (lesson) {
    const card = document.createElement('div');
    card.className = 'lesson-card';
    card.dataset.testid = 'lesson-card';
    card.dataset.lesson = lesson.id;
    card.innerHTML = `<div><span class="lesson-card-kicker">Lesson</span> <b class="lesson-card-title"></b></div>
      <p class="lesson-card-text" data-testid="lesson-text"></p>
      <button type="button" class="icon-btn tiny lesson-card-close" data-testid="lesson-dismiss" title="Dismiss the lesson's text">✕</button>`;
    card.querySelector('.lesson-card-title').textContent = lesson.title;
    card.querySelector('.lesson-card-text').textContent = lesson.text;
    card.querySelector('button').addEventListener('click', () => {
      card.remove();
      store.setLesson(null);
    });
    statusbar.insertBefore(card, wrap);
    store.setLesson(lesson.id); // the address and the share link keep naming it, so a reload shows the card again
  }
  return { lesson };
}
