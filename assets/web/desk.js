// The desk: the queue (#queue) or one ticket (#ticket) is rendered by the server and fetched again
// from its data-live URL when the WebSocket says a ticket changed. On a ticket, each move's form is
// checked here, its photos uploaded, and the move posted to the act endpoint; a refusal is shown
// as words on the page.
(function () {
  'use strict';
  var HL = window.HL;
  var t = HL.t;
  var box = document.getElementById('ticket') || document.getElementById('queue');
  if (!box) return;
  var reload = HL.live(box, box.getAttribute('data-live'));

  function field(form, name) {
    var el = form.querySelector('[name="' + name + '"]');
    return el ? el.value.trim() : '';
  }

  // A datetime-local value (the browser's local time) as RFC 3339.
  function instant(value) {
    var d = new Date(value);
    return isNaN(d.getTime()) ? null : d.toISOString();
  }

  // The body of a move, or the words saying what is missing.
  function command(action, form, media) {
    var note = field(form, 'note');
    var reason = field(form, 'reason');
    switch (action) {
      case 'accept': {
        var deadline = instant(field(form, 'deadline'));
        if (!deadline) return t.need_deadline;
        if (!field(form, 'plan')) return t.need_plan;
        return { action: 'accept', rectification: { plan: field(form, 'plan'), deadline: deadline } };
      }
      case 'extend_deadline': {
        var until = instant(field(form, 'until'));
        if (!until) return t.need_deadline;
        if (!reason) return t.need_reason;
        return { action: 'extend_deadline', until: until, reason: reason };
      }
      case 'complete':
        if (!media.length) return t.need_fix_photo;
        return note ? { action: 'complete', evidence: media, note: note } : { action: 'complete', evidence: media };
      case 'pass':
        return note ? { action: 'pass', media: media, note: note } : { action: 'pass', media: media };
      case 'fail':
        if (!reason) return t.need_reason;
        return { action: 'fail', reason: reason, media: media };
      case 'approve_request':
        return note ? { action: 'approve_request', note: note } : { action: 'approve_request' };
      default:
        if (!reason) return t.need_reason;
        return { action: action, reason: reason };
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

  if (box.id === 'ticket') {
    box.addEventListener('submit', function (e) {
      var form = e.target.closest('form[data-act]');
      if (!form) return;
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
            return HL.api('POST', '/api/v1/tickets/' + id + '/actions', body);
          });
        })
        .then(function () {
          HL.status(t.act_done);
          return reload();
        })
        .catch(function (f) {
          HL.status('');
          say(form, refusal(f || {}));
          Array.prototype.forEach.call(controls, function (c) { c.disabled = false; });
        });
    });
  }

  // Status pushes reach residents only, so the queue also looks again every minute while shown
  // (the ticket page does not: it would wipe a form being filled).
  if (box.id === 'queue') window.setInterval(function () { if (!document.hidden) reload(); }, 60000);

  var opened = 0;
  HL.socket({
    open: function () {
      if (opened++ > 0) reload();
      document.body.setAttribute('data-ready', '1');
    },
    event: function (frame) {
      if (frame.type !== 'ticket_status') return;
      var article = box.querySelector('article[data-id]');
      if (box.id === 'queue' || (article && frame.ticket_id === article.getAttribute('data-id'))) reload();
    }
  });
})();
