// The hover card of the network diagram: a title, rows of name/value, a foot note.

export function createHovercard(el) {
  function show({ title, rows, foot }, mouse) {
    const h = document.createElement('div');
    h.className = 'hovercard-title';
    h.textContent = title;
    const table = document.createElement('dl');
    for (const [k, v] of rows) {
      const dt = document.createElement('dt'); dt.textContent = k;
      const dd = document.createElement('dd'); dd.textContent = v;
      table.append(dt, dd);
    }
    const parts = [h, table];
    if (foot) {
      const p = document.createElement('p'); p.className = 'hovercard-foot'; p.textContent = foot;
      parts.push(p);
    }
    el.replaceChildren(...parts);
    el.hidden = false;
    if (mouse) {
      const pad = 14;
      const w = el.offsetWidth, hgt = el.offsetHeight;
      let x = mouse.clientX + pad, y = mouse.clientY + pad;
      if (x + w > innerWidth - 4) x = mouse.clientX - w - pad;
      if (y + hgt > innerHeight - 4) y = mouse.clientY - hgt - pad;
      el.style.left = `${Math.max(4, x)}px`;
      el.style.top = `${Math.max(4, y)}px`;
    }
  }
  function hide() { el.hidden = true; }
  return { show, hide, get visible() { return !el.hidden; } };
}
