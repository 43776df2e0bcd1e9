// The REST calls the page makes (API.md). Every failure becomes an Error
// whose message is the server's own words.

export class ApiError extends Error {
  constructor(status, detail, field) {
    super(detail);
    this.status = status;
    this.field = field;
  }
}

async function call(method, path, body) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, 'the server cannot be reached — is it still running?', null);
  }
  if (res.status === 204) return null;
  let payload = null;
  try { payload = await res.json(); } catch { /* not JSON */ }
  if (!res.ok) {
    throw new ApiError(res.status, payload?.detail ?? `${method} ${path} failed (${res.status})`, payload?.field ?? null);
  }
  return payload;
}

export const catalog = () => call('GET', '/api/catalog');
export const createSession = (config) => call('POST', '/api/sessions', config ?? {});
export const readSession = (id) => call('GET', `/api/sessions/${id}`);
export const patchSession = (id, partial) => call('PATCH', `/api/sessions/${id}`, partial);
export const putWeights = (id, layers) => call('PUT', `/api/sessions/${id}/weights`, { layers });
export const readWatched = (watchId) => call('GET', `/api/watch/${watchId}`);
export const forkWatched = (watchId) => call('POST', `/api/watch/${watchId}/fork`);
export const exportSession = (id) => call('GET', `/api/sessions/${id}/export`);
export const importSession = (doc) => call('POST', '/api/sessions/import', doc);
export const readHistory = (id) => call('GET', `/api/sessions/${id}/history`);
export const readWatchedHistory = (watchId) => call('GET', `/api/watch/${watchId}/history`);
// the backward view's inspector, which reads the session it shows: one's own
// (/api/sessions/{id}) or, on a watch page, the one watched (/api/watch/{watch_id})
export const sessionPath = (store) => (store.readonly ? `/api/watch/${store.watchId}` : `/api/sessions/${store.sessionId}`);
export const readData = (path) => call('GET', `${path}/data`);
export const trace = (path, x, y) => call('POST', `${path}/trace`, { x, y });
export const gradcheck = (path, body) => call('POST', `${path}/gradcheck`, body);

export function socketUrl(path) {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${location.host}${path}`;
}
