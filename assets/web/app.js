// hazardline pages: what every page script shares. No framework, no build step.
// The page's settings (CSRF token, user id, language, words) are in <body data-config>.
(function () {
  'use strict';
  var config = JSON.parse(document.body.getAttribute('data-config') || '{}');
  var t = config.texts || {};

  // A random id (client_msg_id); works outside secure contexts too.
  function uid() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return 'w-' + Array.prototype.map.call(bytes, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }

  // A failed call: the HTTP status, the problem's code and, for a 422, its field errors
  // (`{field, code}` each).
  function ApiFailure(status, code, errors) {
    this.status = status;
    this.code = code || 'network';
    this.errors = errors || [];
  }

  function toLogin() {
    window.location.assign('/login?next=' + encodeURIComponent(window.location.pathname));
  }

  // Calls the API with the session cookie; unsafe methods carry the CSRF token. Resolves with the
  // JSON body; rejects with ApiFailure (status, problem code). A lost session goes to the login page.
  // `key`, when given, is the Idempotency-Key that makes a retried create safe.
  function api(method, path, body, key) {
    var headers = { Accept: 'application/json' };
    var payload;
    if (method !== 'GET') headers['X-CSRF-Token'] = config.csrf;
    if (key) headers['Idempotency-Key'] = key;
    if (body instanceof FormData) {
      payload = body;
    } else if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    return fetch(path, { method: method, headers: headers, body: payload, credentials: 'same-origin' }).then(
      function (res) {
        if (res.status === 401) {
          toLogin();
          throw new ApiFailure(401, 'unauthenticated');
        }
        var type = res.headers.get('content-type') || '';
        var parsed = type.indexOf('json') >= 0 ? res.json() : Promise.resolve(null);
        return parsed.then(function (data) {
          if (!res.ok) throw new ApiFailure(res.status, data && data.code, data && data.errors);
          return data;
        });
      },
      function () {
        throw new ApiFailure(0, 'network');
      }
    );
  }

  // Words for a failed call: never the raw error.
  function errorText(failure, fallback) {
    var code = failure && failure.code;
    if (code === 'image_too_large' || code === 'payload_too_large' || code === 'image_too_many_pixels') return t.photo_too_large;
    if (code === 'image_unsupported_format' || code === 'image_heic_not_supported' || code === 'unsupported_media_type' || code === 'image_corrupt') return t.photo_format;
    if (code === 'too_many_messages' || (failure && failure.status === 429)) return t.too_fast;
    if (failure && failure.errors && failure.errors.some(function (e) { return e.code === 'media_not_found'; })) return t.photo_used;
    return fallback || t.err_generic;
  }

  function notice(text) {
    var el = document.getElementById('notice');
    if (!el) return;
    el.textContent = text || '';
    el.hidden = !text;
  }

  function status(text) {
    var el = document.getElementById('status') || document.getElementById('live');
    if (el) el.textContent = text || '';
  }

  // What the user is in the middle of inside `box`, to survive a swap: the fields they changed and
  // the disclosures they opened (by id), the radio buttons they moved (by name), the focused field.
  function inProgress(box) {
    var kept = { values: [], radios: [], open: [], focus: null };
    Array.prototype.forEach.call(box.querySelectorAll('textarea[id], select[id], input[id]'), function (el) {
      if (el.type === 'hidden' || el.type === 'file' || el.type === 'radio' || el.type === 'checkbox') return;
      var changed = el.tagName === 'SELECT'
        ? Array.prototype.some.call(el.options, function (o) { return o.selected !== o.defaultSelected; })
        : el.value !== el.defaultValue;
      if (changed) kept.values.push([el.id, el.value]);
    });
    Array.prototype.forEach.call(box.querySelectorAll('input[type=radio]:checked'), function (el) {
      if (!el.defaultChecked) kept.radios.push([el.name, el.value]);
    });
    Array.prototype.forEach.call(box.querySelectorAll('details[id][open]'), function (el) { kept.open.push(el.id); });
    var active = document.activeElement;
    if (active && active.id && box.contains(active)) kept.focus = active.id;
    return kept;
  }

  function putBack(box, kept) {
    kept.values.forEach(function (v) { var el = document.getElementById(v[0]); if (el && box.contains(el)) el.value = v[1]; });
    kept.radios.forEach(function (r) {
      Array.prototype.forEach.call(box.querySelectorAll('input[type=radio]'), function (el) {
        if (el.name === r[0] && el.value === r[1]) el.checked = true;
      });
    });
    kept.open.forEach(function (id) { var el = document.getElementById(id); if (el && box.contains(el)) el.open = true; });
    var focus = kept.focus && document.getElementById(kept.focus);
    if (focus && box.contains(focus)) focus.focus();
  }

  // Whether a form in `box` holds chosen photos not yet sent: a swap would drop them (a file input
  // cannot be refilled), so the swap waits until the form is sent or emptied.
  function holdsPhotos(box) {
    return Array.prototype.some.call(box.querySelectorAll('input[type=file]'), function (el) {
      return !el.disabled && el.files && el.files.length > 0;
    });
  }

  // A server-rendered region (`box`) fetched again from `url` and swapped in place, keeping what
  // the user is in the middle of (`inProgress`); calls while a fetch is under way share it, and one
  // more fetch follows if any came in meanwhile (it may have missed their change). While a form
  // holds chosen photos the swap is put off until the next call after they are sent. `done()` runs
  // after each swap. Returns the reload function.
  function live(box, url, done) {
    var pending = null;
    var again = false;
    function reload() {
      if (pending) { again = true; return pending; }
      if (holdsPhotos(box)) { again = false; return Promise.resolve(); }
      var kept = inProgress(box);
      pending = fetch(url, { credentials: 'same-origin', headers: { Accept: 'text/html' } })
        .then(function (res) {
          if (res.status === 401) { toLogin(); return null; }
          if (!res.ok) throw new Error(String(res.status));
          return res.text();
        })
        .then(function (html) {
          if (html === null) return;
          box.innerHTML = html;
          putBack(box, kept);
          document.body.setAttribute('data-updated', String(Number(document.body.getAttribute('data-updated') || 0) + 1));
          if (done) done();
        })
        .catch(function () { notice(t.err_generic); })
        .then(function () {
          pending = null;
          if (again) { again = false; return reload(); }
        });
      return pending;
    }
    return reload;
  }

  // The WebSocket, authenticated by the session cookie; reconnects with backoff. `handlers.open(ws)`
  // runs on every (re)connection, `handlers.event(frame)` for each JSON frame, `handlers.close()`
  // when a connection is lost (once until it is back).
  function socket(handlers) {
    var delay = 500;
    var lost = false;
    function connect() {
      var scheme = window.location.protocol === 'https:' ? 'wss://' : 'ws://';
      var ws = new WebSocket(scheme + window.location.host + '/api/v1/ws');
      ws.onopen = function () {
        delay = 500;
        if (lost) status('');
        lost = false;
        if (handlers.open) handlers.open(ws);
      };
      ws.onmessage = function (e) {
        var frame;
        try { frame = JSON.parse(e.data); } catch (err) { return; }
        if (handlers.event) handlers.event(frame);
      };
      ws.onclose = function () {
        if (handlers.close && !lost) handlers.close();
        lost = true;
        status(t.reconnecting);
        window.setTimeout(connect, delay);
        delay = Math.min(delay * 2, 15000);
      };
    }
    connect();
  }

  window.HL = { config: config, t: t, api: api, uid: uid, errorText: errorText, notice: notice, status: status, socket: socket, live: live, toLogin: toLogin };
})();
