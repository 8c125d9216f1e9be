// The grid worker's tasks: one-tap accept or decline, confirm on site with photos (and the phone's
// position) or fix on the spot, reject what is not a hazard, pass or fail the check of the fix, report
// a hazard found on patrol; the list fetched again after each move and whenever the WebSocket says something changed.
(function () {
  'use strict';
  var HL = window.HL;
  var t = HL.t;
  var list = document.getElementById('tickets');
  var reload = HL.live(list, '/worker/live');

  // The ticket's current version (the list may be older than the ticket).
  function version(id) {
    return HL.api('GET', '/api/v1/tickets/' + id).then(function (ticket) { return ticket.version; });
  }

  // The phone's position for the on-site check, or nothing after a few seconds.
  function position() {
    return new Promise(function (resolve) {
      if (!navigator.geolocation) { resolve(null); return; }
      navigator.geolocation.getCurrentPosition(
        function (p) { resolve({ lat: p.coords.latitude, lng: p.coords.longitude, coord_system: 'wgs84' }); },
        function () { resolve(null); },
        { enableHighAccuracy: true, timeout: 8000, maximumAge: 60000 }
      );
    });
  }

  // The echo of the worker's own move: the server announces a change (ticket_changed) once it is
  // committed, before it answers the move. A list read on that announcement already shows the move,
  // so the answer does not read it again; an announcement of a version the answer already showed is
  // not read either.
  var sentAt = {};
  var announcedAt = {};
  var answered = {};

  function act(id, body, done) {
    return version(id)
      .then(function (v) {
        body.version = v;
        sentAt[id] = Date.now();
        return HL.api('POST', '/api/v1/tickets/' + id + '/actions', body);
      })
      .then(function (ticket) {
        if (ticket && ticket.version) answered[id] = ticket.version;
        HL.notice('');
        HL.status(done);
      })
      .catch(function (f) {
        if (f.code === 'version_conflict' || f.code === 'transition_not_allowed') HL.notice(t.conflict);
        else if (f.code === 'evidence_required') HL.notice(t.need_photo);
        else HL.notice(HL.errorText(f));
      })
      .then(function () {
        if (!(announcedAt[id] >= sentAt[id])) return reload();
      });
  }

  list.addEventListener('click', function (e) {
    var button = e.target.closest('button[data-act="accept"]');
    if (!button) return;
    var item = button.closest('li[data-id]');
    button.disabled = true;
    act(item.getAttribute('data-id'), { action: 'accept' }, t.accepted);
  });

  // The chosen photos, counted on the button that picks them (task forms and the patrol report).
  document.addEventListener('change', function (e) {
    var input = e.target.closest('form.confirm input[type=file]');
    if (!input) return;
    var count = input.form.querySelector('.count');
    count.textContent = input.files.length ? '(' + input.files.length + ')' : '';
  });

  function lock(form, locked) {
    Array.prototype.forEach.call(form.querySelectorAll('button, input, select, textarea'), function (c) { c.disabled = locked; });
  }

  // The form's photos uploaded, in order; their ids.
  function upload(form) {
    var input = form.querySelector('input[type=file]');
    var files = Array.prototype.slice.call((input && input.files) || []);
    if (files.length) HL.status(t.uploading);
    return Promise.all(files.map(function (file) {
      var body = new FormData();
      body.append('file', file, file.name || 'photo.jpg');
      return HL.api('POST', '/api/v1/media', body).then(function (m) { return m.id; });
    }));
  }

  function field(form, name) {
    var el = form.querySelector('[name="' + name + '"]');
    return el ? el.value.trim() : '';
  }

  // A task's move: decline, confirm or fix on the spot (photos required), reject, pass or fail the
  // check (a reason to fail; photos optional).
  list.addEventListener('submit', function (e) {
    var form = e.target.closest('form[data-act]');
    if (!form) return;
    e.preventDefault();
    var kind = form.getAttribute('data-act');
    var action = kind === 'confirm' || kind === 'check' ? (e.submitter && e.submitter.value) || (kind === 'check' ? 'pass' : 'confirm') : kind;
    var id = form.closest('li[data-id]').getAttribute('data-id');
    var input = form.querySelector('input[type=file]');
    var photos = input ? input.files.length : 0;
    if ((action === 'confirm' || action === 'resolve_on_spot') && !photos) { HL.notice(t.need_photo); return; }
    if (action === 'fail' && !field(form, 'reason')) { HL.notice(t.need_reason); form.querySelector('[name=reason]').focus(); return; }
    var note = field(form, 'note');
    HL.notice('');
    lock(form, true);
    Promise.all([upload(form), action === 'decline' || action === 'reject' ? null : position()])
      .then(function (done) {
        var media = done[0];
        var body;
        var said;
        if (action === 'decline') { body = { action: 'decline' }; said = t.declined; }
        else if (action === 'confirm') {
          var level = (form.querySelector('input[type=radio]:checked') || {}).value || 'general';
          body = { action: 'confirm', level: level, evidence: media }; said = t.confirmed;
        }
        else if (action === 'resolve_on_spot') { body = { action: 'resolve_on_spot', evidence: media }; said = t.resolved_on_spot; }
        else if (action === 'reject') {
          var ground = (form.querySelector('input[type=radio]:checked') || {}).value || 'not_a_hazard';
          body = { action: 'reject', ground: { kind: ground } }; said = t.rejected;
        }
        else if (action === 'fail') { body = { action: 'fail', reason: field(form, 'reason'), media: media }; said = t.failed_check; }
        else { body = { action: 'pass', media: media }; said = t.passed; }
        if (note) body.note = note;
        if (done[1]) body.position = done[1];
        return act(id, body, said);
      })
      .catch(function (f) {
        HL.status('');
        HL.notice(HL.errorText(f, t.upload_failed));
        lock(form, false);
        reload();
      });
  });

  // The report of a hazard found on patrol: checked here first, then the photos, the phone's
  // position and the report; one idempotency key per report, so a retry on a bad network files it once.
  var patrol = document.getElementById('patrol-form');
  var patrolKey = HL.uid();
  if (patrol) patrol.addEventListener('submit', function (e) {
    e.preventDefault();
    var category = field(patrol, 'category');
    var description = field(patrol, 'description');
    var missing = !category ? ['category', t.need_category]
      : !description ? ['description', t.need_description]
      : !patrol.querySelector('input[type=file]').files.length ? ['', t.need_photo] : null;
    if (missing) {
      HL.notice(missing[1]);
      if (missing[0]) patrol.querySelector('[name=' + missing[0] + ']').focus();
      return;
    }
    var urgency = (patrol.querySelector('input[name=urgency]:checked') || {}).value || 'normal';
    var address = field(patrol, 'address');
    HL.notice('');
    lock(patrol, true);
    Promise.all([upload(patrol), position()])
      .then(function (done) {
        if (!done[1]) throw { code: 'no_position' };
        var body = { category: category, description: description, urgency: urgency, location: done[1], photos: done[0], channel: 'staff' };
        if (address) body.address = address;
        return HL.api('POST', '/api/v1/tickets', body, patrolKey);
      })
      .then(function (answer) {
        patrolKey = HL.uid();
        patrol.reset();
        patrol.querySelector('.count').textContent = '';
        HL.status(t.patrol_sent.replace('{number}', answer.ticket.number));
        if (answer.advice) HL.notice(answer.advice);
        document.getElementById('patrol').open = false;
      })
      .catch(function (f) {
        HL.status('');
        HL.notice(f && f.code === 'no_position' ? t.need_position : HL.errorText(f));
      })
      .then(function () { lock(patrol, false); reload(); });
  });

  HL.socket({
    open: function () { reload(); document.body.setAttribute('data-ready', '1'); },
    event: function (frame) {
      if (frame.type === 'ticket_changed') {
        announcedAt[frame.ticket_id] = Date.now();
        if (answered[frame.ticket_id] >= frame.version) return;
      }
      if (frame.type === 'ticket_changed' || frame.type === 'ticket_status' || frame.type === 'message') reload();
    }
  });
})();
