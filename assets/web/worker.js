// The grid worker's tasks: one-tap accept, confirm on site with photos (and the phone's position),
// pass the check of the fix,
// the list fetched again after each move and whenever the WebSocket says something changed.
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

  function act(id, body, done) {
    return version(id)
      .then(function (v) {
        body.version = v;
        return HL.api('POST', '/api/v1/tickets/' + id + '/actions', body);
      })
      .then(function () {
        HL.notice('');
        HL.status(done);
      })
      .catch(function (f) {
        if (f.code === 'version_conflict' || f.code === 'transition_not_allowed') HL.notice(t.conflict);
        else if (f.code === 'evidence_required') HL.notice(t.need_photo);
        else HL.notice(HL.errorText(f));
      })
      .then(reload);
  }

  list.addEventListener('click', function (e) {
    var button = e.target.closest('button[data-act="accept"]');
    if (!button) return;
    var item = button.closest('li[data-id]');
    button.disabled = true;
    act(item.getAttribute('data-id'), { action: 'accept' }, t.accepted);
  });

  // The chosen photos, counted on the button that picks them.
  list.addEventListener('change', function (e) {
    var input = e.target.closest('form[data-act="confirm"] input[type=file]');
    if (!input) return;
    var count = input.form.querySelector('.count');
    count.textContent = input.files.length ? '(' + input.files.length + ')' : '';
  });

  // Confirm (photos required, with the level) or pass the check (photos optional).
  list.addEventListener('submit', function (e) {
    var form = e.target.closest('form[data-act]');
    if (!form) return;
    e.preventDefault();
    var action = form.getAttribute('data-act');
    var item = form.closest('li[data-id]');
    var id = item.getAttribute('data-id');
    var files = Array.prototype.slice.call(form.querySelector('input[type=file]').files || []);
    if (action === 'confirm' && !files.length) { HL.notice(t.need_photo); return; }
    var level = (form.querySelector('input[type=radio]:checked') || {}).value || 'general';
    Array.prototype.forEach.call(form.querySelectorAll('button, input'), function (c) { c.disabled = true; });
    HL.notice('');
    if (files.length) HL.status(t.uploading);
    var uploads = files.map(function (file) {
      var body = new FormData();
      body.append('file', file, file.name || 'photo.jpg');
      return HL.api('POST', '/api/v1/media', body).then(function (m) { return m.id; });
    });
    Promise.all([Promise.all(uploads), position()])
      .then(function (done) {
        var body = action === 'confirm'
          ? { action: 'confirm', level: level, evidence: done[0] }
          : { action: 'pass', media: done[0] };
        if (done[1]) body.position = done[1];
        return act(id, body, action === 'confirm' ? t.confirmed : t.passed);
      })
      .catch(function (f) {
        HL.status('');
        HL.notice(HL.errorText(f, t.upload_failed));
        reload();
      });
  });

  HL.socket({
    open: function () { reload(); document.body.setAttribute('data-ready', '1'); },
    event: function (frame) {
      if (frame.type === 'ticket_status' || frame.type === 'message') reload();
    }
  });
})();
