// The live WebSocket: commands out, "data" and "frame" messages in
// (app/frames.py). Reconnects by itself when the connection drops.

import { socketUrl } from './api.js';

// A frame's weights and gradients come packed as bytes ({shape, dtype, data}:
// app/frames.py `pack`); the page reads them as nested arrays of numbers,
// non-finite values as null, like every other number it receives.
export function unpack(packed) {
  if (!packed) return null;
  if (Array.isArray(packed)) return packed;  // plain numbers (a server from before packing)
  // plain loops: Uint8Array.from(text, fn) and Array.from(values, fn) took 110 ms
  // for a 10 × 128 frame's weights and gradients, these 9 ms
  const text = atob(packed.data);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  const values = packed.dtype === 'f8' ? new Float64Array(bytes.buffer) : new Float32Array(bytes.buffer);
  const row = (from, n) => {
    const out = new Array(n);
    for (let k = 0; k < n; k++) { const v = values[from + k]; out[k] = Number.isFinite(v) ? v : null; }
    return out;
  };
  if (packed.shape.length === 1) return row(0, values.length);
  const cols = packed.shape[1], rows = [];
  for (let i = 0; i < values.length; i += cols) rows.push(row(i, cols));
  return rows;
}

export function unpackLayers(frame) {
  frame.layers = frame.layers.map((l) => ({ W: unpack(l.W), b: unpack(l.b), dW: unpack(l.dW), db: unpack(l.db) }));
  return frame;
}

const ACK = JSON.stringify({ type: 'ack' });

// A connection can die without closing (Wi-Fi gone, a laptop asleep): the
// browser then learns nothing for a minute or more while the page says
// "Training…". The server answers every command and sends frames while it
// plays, so a silence this long where one of those was due means the
// connection is dead: it is dropped and made again.
export const SILENCE_MS = 10000;
const WATCH_EVERY_MS = 2000;

export class LiveSocket {
  /**
   * @param {string} path  e.g. /api/sessions/{id}/live
   * @param {{onData, onFrame, onError, onState}} handlers
   * @param {() => boolean} expectFrames  whether frames are due now (the session plays)
   */
  constructor(path, handlers, expectFrames = () => false) {
    this.path = path;
    this.handlers = handlers;
    this.expectFrames = expectFrames;
    this.ws = null;
    this.closed = false;
    this.opened = false;   // once open, a command is sent now or not at all
    this.retry = 0;
    this.queue = [];
    this.pendingErrors = new Set();
    this.heardAt = performance.now();
    this.waitingSince = null; // a command sent, no message since
    this.watchdog = setInterval(() => this.checkSilence(), WATCH_EVERY_MS);
    this.connect();
  }

  connect() {
    const ws = new WebSocket(socketUrl(this.path));
    this.ws = ws;
    this.heardAt = performance.now();
    this.waitingSince = null;
    ws.onopen = () => {
      this.retry = 0;
      this.opened = true;
      this.heardAt = performance.now();
      this.handlers.onState?.('open');
      for (const m of this.queue.splice(0)) this.transmit(m);
    };
    ws.onmessage = (ev) => {
      this.heardAt = performance.now();
      this.waitingSince = null;
      let msg;
      try { msg = JSON.parse(ev.data); } catch { return; }
      if (msg.type === 'frame') {
        // taken in: the server sends the next one (app/live.py), so frames never pile up
        // in the network's buffers on a slow laptop, however slowly it draws
        if (ws.readyState === WebSocket.OPEN) ws.send(ACK);
        this.handlers.onFrame(unpackLayers(msg));
      }
      else if (msg.type === 'data') this.handlers.onData(msg);
      else if (msg.type === 'error') {
        // a session that is gone says so, then closes (4404): the page says it in its own words
        const t = setTimeout(() => { this.pendingErrors.delete(t); this.handlers.onError(msg.message); }, 300);
        this.pendingErrors.add(t);
      }
    };
    ws.onclose = (ev) => {
      if (this.closed || ws !== this.ws) return;
      if (ev.code === 4404) {
        for (const t of this.pendingErrors) clearTimeout(t);
        this.pendingErrors.clear();
        this.handlers.onState?.('gone');
        return;
      }
      this.dropped();
    };
  }

  /** The connection is lost: say so, and try again (sooner at first). */
  dropped() {
    this.handlers.onState?.('closed');
    const wait = Math.min(5000, 250 * 2 ** this.retry++);
    setTimeout(() => { if (!this.closed) this.connect(); }, wait);
  }

  checkSilence() {
    const ws = this.ws;
    if (this.closed || !ws || ws.readyState !== WebSocket.OPEN) return;
    if (document.visibilityState === 'hidden') { this.heardAt = performance.now(); return; } // a hidden tab's timers lag
    const now = performance.now();
    const due = this.waitingSince !== null ? this.waitingSince : this.expectFrames() ? this.heardAt : null;
    if (due === null || now - Math.max(due, this.heardAt) < SILENCE_MS) return;
    this.ws = null; // this socket is dead: nothing more from it counts
    ws.onopen = ws.onmessage = ws.onclose = null;
    try { ws.close(); } catch { /* already closing */ }
    this.dropped();
  }

  transmit(text) {
    this.ws.send(text);
    if (this.waitingSince === null) this.waitingSince = performance.now(); // every command is answered (app/socket.py)
  }

  /** Send a command. Before the first connection it waits for it; after a
   * connection is lost it is not sent (false): a click made while the server
   * could not hear it must not happen later, by itself, when it comes back. */
  send(command) {
    const text = JSON.stringify(command);
    if (this.ws && this.ws.readyState === WebSocket.OPEN) { this.transmit(text); return true; }
    if (this.opened) return false;
    this.queue.push(text);
    return true;
  }

  close() {
    this.closed = true;
    clearInterval(this.watchdog);
    this.ws?.close();
  }
}
