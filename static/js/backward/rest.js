// The REST calls of the backward view (API.md): the data as the network sees
// it, one traced forward/backward pass, one finite-difference check.

async function call(method, path, body) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  let payload = null;
  try { payload = await res.json(); } catch { /* not JSON */ }
  if (!res.ok) throw new Error(payload?.detail ?? `${method} ${path} failed (${res.status})`);
  return payload;
}

export const readData = (id) => call('GET', `/api/sessions/${id}/data`);
export const trace = (id, x, y) => call('POST', `/api/sessions/${id}/trace`, { x, y });
export const gradcheck = (id, body) => call('POST', `/api/sessions/${id}/gradcheck`, body);
export const readHistory = (id) => call('GET', `/api/sessions/${id}/history`);
