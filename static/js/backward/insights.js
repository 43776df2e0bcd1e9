// The insights feed: the frame's plain-language diagnoses (engine/insights.py,
// with hysteresis there). Clicking one highlights the panel it concerns.

const ICONS = { error: '⊘', warning: '⚠', info: 'ℹ' }; // in common text fonts (⛔ was an empty box without an emoji font)

export function createInsightsFeed(list, { onCount } = {}) {
  let shown = '';

  function highlight(testid) {
    const target = document.querySelector(`[data-testid="${testid}"]`);
    if (!target) return;
    const box = target.closest('.gradient-box, .boundary-wrap, .panel, .statusbar') ?? target;
    box.classList.remove('insight-highlight');
    void box.offsetWidth; // restart the animation
    box.classList.add('insight-highlight');
    target.dataset.highlighted = 'true';
    box.scrollIntoView?.({ block: 'nearest' });
    setTimeout(() => { box.classList.remove('insight-highlight'); delete target.dataset.highlighted; }, 2600);
  }

  function update(frame) {
    const insights = frame?.insights ?? [];
    const key = JSON.stringify(insights);
    if (key === shown) return;
    shown = key;
    onCount?.(insights);
    if (!insights.length) {
      const p = document.createElement('p');
      p.className = 'hint insights-empty';
      p.textContent = 'Nothing to report: no vanishing or exploding gradients, dead or saturated layers, or overfitting right now.';
      list.replaceChildren(p);
      return;
    }
    list.replaceChildren(...insights.map((i) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = `insight insight-${i.severity}`;
      b.dataset.insight = i.id;
      b.dataset.panel = i.panel;
      b.title = 'Click to highlight the panel this concerns';
      const t = document.createElement('span'); t.className = 'insight-title';
      t.textContent = `${ICONS[i.severity] ?? '•'} ${i.title}`;
      const x = document.createElement('span'); x.className = 'insight-text'; x.textContent = i.text;
      b.append(t, x);
      b.addEventListener('click', () => highlight(i.panel));
      return b;
    }));
  }

  return { update, highlight };
}
