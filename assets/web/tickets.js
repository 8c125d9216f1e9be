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
