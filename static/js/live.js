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

export class LiveSocket {
  /**
   * @param {string} path  e.g. /api/sessions/{id}/live
   * @param {{onData, onFrame, onError, onState}} handlers
   */
  constructor(path, handlers) {
    this.path = path;
    this.handlers = handlers;
    this.ws = null;
    this.closed = false;
    this.retry = 0;
    this.queue = [];
    this.connect();
  }

  connect() {
    const ws = new WebSocket(socketUrl(this.path));
    this.ws = ws;
    ws.onopen = () => {
      this.retry = 0;
      this.handlers.onState?.('open');
      for (const m of this.queue.splice(0)) ws.send(m);
    };
    ws.onmessage = (ev) => {
      let msg;
      try { msg = JSON.parse(ev.data); } catch { return; }
      if (msg.type === 'frame') {
        // taken in: the server sends the next one (app/live.py), so frames never pile up
        // in the network's buffers on a slow laptop, however slowly it draws
        if (ws.readyState === WebSocket.OPEN) ws.send(ACK);
        this.handlers.onFrame(unpackLayers(msg));
      }
      else if (msg.type === 'data') this.handlers.onData(msg);
      else if (msg.type === 'error') this.handlers.onError(msg.message);
    };
    ws.onclose = (ev) => {
      if (this.closed) return;
      if (ev.code === 4404) { this.handlers.onState?.('gone'); return; }
      this.handlers.onState?.('closed');
      const wait = Math.min(5000, 250 * 2 ** this.retry++);
      setTimeout(() => { if (!this.closed) this.connect(); }, wait);
    };
  }

  send(command) {
    const text = JSON.stringify(command);
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(text);
    else this.queue.push(text);
  }

  close() {
    this.closed = true;
    this.ws?.close();
  }
}
