// The desk: the queue (#queue) or one ticket (#ticket) is rendered by the server and fetched again
// from its data-live URL when the WebSocket says a ticket changed (`ticket_changed`, sent to the
// staff handling it), and once a minute only while the socket is down. What is being typed into a
// form survives the refresh. Most forms post to the page itself (the server answers refusals with
// the page and a message); the forms with photos are handled here: the photos uploaded, the move
// posted to the act endpoint, a refusal shown as words next to the form.
(function () {
  'use strict';
  var HL = window.HL;
  var t = HL.t;
  var box = document.getElementById('ticket') || document.getElementById('queue');
  if (!box) return;
  var fetchAgain = HL.live(box, box.getAttribute('data-live'));

  // What the user changed in the forms (all of a form the server refused, with its message), by
  // form (data-act) and field name, and the focused field.
  function typed() {
    var kept = { fields: [], messages: [], focus: null };
    var active = document.activeElement;
    Array.prototype.forEach.call(box.querySelectorAll('form[data-act]'), function (form) {
      var act = form.getAttribute('data-act');
      var msg = form.querySelector('.msg');
      var refused = msg && !msg.hidden;
      if (refused) kept.messages.push({ act: act, text: msg.textContent });
      Array.prototype.forEach.call(form.querySelectorAll('[name]'), function (el) {
        if (el.type === 'hidden' || el.type === 'file') return;
        var changed = el.tagName === 'SELECT'
          ? Array.prototype.some.call(el.options, function (o) { return o.selected !== o.defaultSelected; })
          : el.value !== el.defaultValue;
        if (changed || refused) kept.fields.push({ act: act, name: el.name, value: el.value });
        if (el === active) kept.focus = { act: act, name: el.name };
      });
    });
    return kept;
  }

  function find(where) {
    return box.querySelector('form[data-act="' + where.act + '"] [name="' + where.name + '"]');
  }

  // Fetches the region again (HL.live: a change announced while a fetch is under way gets one more)
  // and puts back what was being typed in the forms, which are known by data-act and field name.
  function reload() {
    var kept = typed();
    return fetchAgain().then(function () {
      kept.fields.forEach(function (f) {
        var el = find(f);
        if (el) el.value = f.value;
      });
      kept.messages.forEach(function (m) {
        var msg = box.querySelector('form[data-act="' + m.act + '"] .msg');
        if (msg) { msg.textContent = m.text; msg.hidden = false; }
      });
      var focus = kept.focus && find(kept.focus);
      if (focus) focus.focus();
    });
  }

  function field(form, name) {
    var el = form.querySelector('[name="' + name + '"]');
    return el ? el.value.trim() : '';
  }

  // The body of a photo move, or the words saying what is missing.
  function command(action, form, media) {
    var note = field(form, 'note');
    var reason = field(form, 'reason');
    switch (action) {
      case 'complete':
        if (!media.length) return t.need_fix_photo;
        return note ? { action: 'complete', evidence: media, note: note } : { action: 'complete', evidence: media };
      case 'pass':
        return note ? { action: 'pass', media: media, note: note } : { action: 'pass', media: media };
      case 'fail':
        if (!reason) return t.need_reason;
        return { action: 'fail', reason: reason, media: media };
      default:
        return t.err_refused;
    }
  }

  function refusal(f) {
    if (f.code === 'version_conflict' || f.code === 'transition_not_allowed') return t.conflict;
    if (f.code === 'evidence_required') return t.need_fix_photo;
    if (f.status === 400 || f.status === 422) return t.err_refused;
    return HL.errorText(f);
  }

  // A refusal next to the form it is about (and nothing in the page-wide notice).
  function say(form, text) {
    var el = form.querySelector('.msg');
    el.textContent = text || '';
    el.hidden = !text;
    if (text) el.scrollIntoView({ block: 'nearest' });
  }

  // The echo of this page's own photo move: the server announces the change (ticket_changed) once
  // it is committed, before it answers. A read on that announcement already shows the move, so the
  // answer does not read again; an announcement of a version the answer showed is not read either.
  var sentAt = 0;
  var announcedAt = 0;
  var answered = 0;

  if (box.id === 'ticket') {
    box.addEventListener('submit', function (e) {
      var form = e.target.closest('form[data-act]');
      // Forms with an action post to the page itself.
      if (!form || form.hasAttribute('action')) return;
      e.preventDefault();
      var action = form.getAttribute('data-act');
      var article = box.querySelector('article[data-id]');
      var id = article.getAttribute('data-id');
      var input = form.querySelector('input[type=file]');
      var files = Array.prototype.slice.call((input && input.files) || []);
      var check = command(action, form, files.length ? ['pending'] : []);
      if (typeof check === 'string') { say(form, check); return; }
      var controls = form.querySelectorAll('button, input, textarea');
      Array.prototype.forEach.call(controls, function (c) { c.disabled = true; });
      say(form, '');
      if (files.length) HL.status(t.uploading);
      var uploads = files.map(function (file) {
        var body = new FormData();
        body.append('file', file, file.name || 'photo.jpg');
        return HL.api('POST', '/api/v1/media', body).then(function (m) { return m.id; });
      });
      Promise.all(uploads)
        .then(function (media) {
          var body = command(action, form, media);
          return HL.api('GET', '/api/v1/tickets/' + id).then(function (ticket) {
            body.version = ticket.version;
            sentAt = Date.now();
            return HL.api('POST', '/api/v1/tickets/' + id + '/actions', body);
          });
        })
        .then(function (ticket) {
          answered = (ticket && ticket.version) || 0;
          HL.status(t.act_done);
          if (announcedAt >= sentAt) return null;
          return fetchAgain();
        })
        .catch(function (f) {
          HL.status('');
          say(form, refusal(f || {}));
          Array.prototype.forEach.call(controls, function (c) { c.disabled = false; });
        });
    });
  }

  // Only while the socket is down: look again every minute.
  var poll = null;
  function polling(on) {
    if (on && !poll) poll = window.setInterval(function () { if (!document.hidden) reload(); }, 60000);
    if (!on && poll) { window.clearInterval(poll); poll = null; }
  }

  var opened = 0;
  HL.socket({
    open: function () {
      polling(false);
      if (opened++ > 0) reload();
      document.body.setAttribute('data-ready', '1');
    },
    close: function () { polling(true); },
    event: function (frame) {
      if (frame.type !== 'ticket_changed' && frame.type !== 'ticket_status') return;
      if (box.id === 'queue') { reload(); return; }
      var article = box.querySelector('article[data-id]');
      if (!article || frame.ticket_id !== article.getAttribute('data-id')) return;
      if (frame.type === 'ticket_changed') {
        announcedAt = Date.now();
        if (answered >= frame.version) return;
      }
      reload();
    }
  });
})();
