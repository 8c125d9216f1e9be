// "My tickets": the list is rendered by the server; when the WebSocket says a ticket moved (a status
// push, or a system message in a ticket thread) the list is fetched again and swapped in place.
(function () {
  'use strict';
  var HL = window.HL;
  var list = document.getElementById('tickets');
  var pending = null;

  function reload() {
    if (pending) return pending;
    pending = fetch('/tickets/live', { credentials: 'same-origin', headers: { Accept: 'text/html' } })
      .then(function (res) {
        if (res.status === 401) { HL.toLogin(); return null; }
        if (!res.ok) throw new Error(String(res.status));
        return res.text();
      })
      .then(function (html) {
        if (html === null) return;
        list.innerHTML = html;
        HL.notice('');
        HL.status(HL.t.updated);
        document.body.setAttribute('data-updated', String(Number(document.body.getAttribute('data-updated') || 0) + 1));
      })
      .catch(function () { HL.notice(HL.t.err_generic); })
      .then(function () { pending = null; });
    return pending;
  }

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
