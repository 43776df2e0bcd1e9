// Your own points from a CSV file of x1,x2,label (a header line is allowed).
// Returns {points: {x, y}, task} or throws an Error that says what is wrong
// and where, so a bad file changes nothing.

export const DOMAIN = 6;
export const MIN_POINTS = 10; // API.md: 10–5000 samples
export const MAX_POINTS = 5000;

export function parsePointsCsv(text) {
  if (typeof text !== 'string' || !text.trim()) throw new Error('the file is empty');
  if (/\u0000/.test(text)) throw new Error('this is not a text file: expected lines of x1,x2,label');
  const lines = text.split(/\r?\n/);
  const x = [], y = [];
  let header = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line || line.startsWith('#')) continue;
    const cells = line.split(/[,;\t]/).map((c) => c.trim());
    const numbers = cells.map((c) => (c === '' ? NaN : Number(c)));
    if (numbers.some((v) => !Number.isFinite(v))) {
      if (!header && x.length === 0 && cells.length === 3) { header = true; continue; }
      throw new Error(`line ${i + 1}: expected three numbers x1,x2,label but found “${line.slice(0, 40)}”`);
    }
    if (numbers.length !== 3) {
      throw new Error(`line ${i + 1}: expected three columns x1,x2,label but found ${numbers.length}`);
    }
    const [x1, x2, label] = numbers;
    if (Math.abs(x1) > DOMAIN || Math.abs(x2) > DOMAIN) {
      throw new Error(`line ${i + 1}: x1 and x2 must lie in [−6, 6] (the input plane); found ${x1}, ${x2}`);
    }
    x.push([x1, x2]);
    y.push(label);
    if (x.length > MAX_POINTS) throw new Error(`too many points: at most ${MAX_POINTS}`);
  }
  if (x.length < MIN_POINTS) throw new Error(`at least ${MIN_POINTS} points are needed (found ${x.length})`);
  // whole-number labels are classes; any fraction makes it a regression target
  if (!y.every((v) => Number.isInteger(v))) return { points: { x, y }, task: 'regression' };
  if (y.some((v) => v < 0)) throw new Error('labels: classes are numbered 0, 1, 2, … (found a negative label)');
  const classes = Math.max(...y) + 1;
  if (classes < 2) throw new Error('labels: two classes at least (0 and 1) are needed');
  if (classes > 10) throw new Error('labels: at most 10 classes (0 to 9)');
  const seen = new Set(y);
  const missing = [];
  for (let k = 0; k < classes; k++) if (!seen.has(k)) missing.push(k);
  if (missing.length) throw new Error(`labels must be 0..${classes - 1} with every class present; missing ${missing.join(', ')}`);
  return { points: { x, y }, task: 'classification' };
}
