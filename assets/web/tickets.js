// "My tickets": the list is rendered by the server; when the WebSocket says a ticket moved (a status
// push, or a system message in a ticket thread) the list is fetched again and swapped in place.
(function () {
  'use strict';
  var HL = window.HL;
  var list = document.getElementById('tickets');
  var reload = HL.live(list, '/tickets/live' + window.location.search, function () {
    HL.notice('');
    HL.status(HL.t.updated);
  });

  // A message to the desk on one ticket: one Idempotency-Key per message, so a retry on a bad
  // network writes it once; the list is read again after it.
  var keys = {};
  list.addEventListener('submit', function (e) {
    var form = e.target.closest('form[data-act="comment"]');
    if (!form) return;
    e.preventDefault();
    var id = form.closest('li[data-id]').getAttribute('data-id');
    var box = form.querySelector('textarea');
    var body = box.value.trim();
    if (!body) { HL.notice(HL.t.need_text); box.focus(); return; }
    var key = keys[id] || (keys[id] = HL.uid());
    Array.prototype.forEach.call(form.querySelectorAll('button, textarea'), function (c) { c.disabled = true; });
    HL.notice('');
    HL.api('POST', '/api/v1/tickets/' + id + '/comments', { body: body }, key)
      .then(function () {
        delete keys[id];
        return reload();
      })
      .then(function () { HL.status(HL.t.comment_sent); })
      .catch(function (f) {
        HL.notice(HL.errorText(f));
        Array.prototype.forEach.call(form.querySelectorAll('button, textarea'), function (c) { c.disabled = false; });
      });
  });

  var opened = 0;
  HL.socket({
    open: function () {
      // After a reconnect something may have been missed.
      if (opened++ > 0) reload();
      document.body.setAttribute('data-ready', '1');
    },
    event: function (frame) {
      if (frame.type === 'ticket_status') reload();
      else if (frame.type === 'message' && frame.message && frame.message.content && frame.message.content.type === 'system') reload();
    }
  });
})();
