// The little form that opens when a weight or bias is clicked.

export function createWeightEditor(root) {
  const form = root.querySelector('#weight-form');
  const input = root.querySelector('#weight-value');
  const label = root.querySelector('#weight-label');
  const cancel = root.querySelector('#weight-cancel');
  let pending = null;

  function open({ text, value }, mouse) {
    label.textContent = `New value of ${text}`;
    // the frame's value, to the 7 digits it carries (float32: 0.3 arrives as 0.30000001192…)
    input.value = value === null || value === undefined ? '' : String(Number(value.toPrecision(7)));
    root.hidden = false;
    const w = root.offsetWidth, h = root.offsetHeight;
    const x = Math.min(innerWidth - w - 8, Math.max(8, (mouse?.clientX ?? innerWidth / 2) - w / 2));
    const y = Math.min(innerHeight - h - 8, Math.max(8, (mouse?.clientY ?? innerHeight / 2) + 12));
    root.style.left = `${x}px`;
    root.style.top = `${y}px`;
    input.focus();
    input.select();
    return new Promise((resolve) => { pending = resolve; });
  }

  function close(result) {
    root.hidden = true;
    const done = pending;
    pending = null;
    done?.(result);
  }

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const v = Number(input.value);
    if (input.value.trim() === '' || !Number.isFinite(v)) { input.setCustomValidity('a finite number'); input.reportValidity(); return; }
    input.setCustomValidity('');
    close(v);
  });
  cancel.addEventListener('click', () => close(null));
  root.addEventListener('keydown', (ev) => { if (ev.key === 'Escape') { ev.stopPropagation(); close(null); } });
  return { open, get isOpen() { return !root.hidden; } };
}
