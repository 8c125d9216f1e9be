// The resident's chat with the intake bot: bubbles, quick replies, photos from the camera, the
// browser's position (or a typed address), live over the WebSocket. Uses the API as-is.
(function () {
  'use strict';
  var HL = window.HL;
  var t = HL.t;
  var log = document.getElementById('log');
  var composer = document.getElementById('composer');
  var text = document.getElementById('text');
  var photo = document.getElementById('photo-input');
  var locBtn = document.getElementById('loc-btn');
  var place = document.getElementById('place');
  var placeInput = document.getElementById('place-input');
  var conversation = null;
  var lastSeq = 0;
  var labels = {}; // quick-reply value -> label, so a tapped button reads as its label

  // WGS-84 (what browsers give) -> GCJ-02 (what the service stores); as src/geo/point.rs.
  function wgs84ToGcj02(lat, lng) {
    if (lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271) return { lat: lat, lng: lng };
    var PI = Math.PI, A = 6378245.0, EE = 0.00669342162296594323;
    var x = lng - 105.0, y = lat - 35.0;
    var waveX = (20 * Math.sin(6 * x * PI) + 20 * Math.sin(2 * x * PI)) * 2 / 3;
    var sLat = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x)) + waveX +
      (20 * Math.sin(y * PI) + 40 * Math.sin(y / 3 * PI)) * 2 / 3 +
      (160 * Math.sin(y / 12 * PI) + 320 * Math.sin(y * PI / 30)) * 2 / 3;
    var sLng = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x)) + waveX +
      (20 * Math.sin(x * PI) + 40 * Math.sin(x / 3 * PI)) * 2 / 3 +
      (150 * Math.sin(x / 12 * PI) + 300 * Math.sin(x / 30 * PI)) * 2 / 3;
    var radLat = lat / 180 * PI;
    var magic = 1 - EE * Math.pow(Math.sin(radLat), 2);
    var sq = Math.sqrt(magic);
    return {
      lat: lat + sLat * 180 / ((A * (1 - EE)) / (magic * sq) * PI),
      lng: lng + sLng * 180 / (A / sq * Math.cos(radLat) * PI)
    };
  }
  HL.wgs84ToGcj02 = wgs84ToGcj02;

  function el(tag, cls, content) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (content !== undefined) e.textContent = content;
    return e;
  }

  function atBottom() {
    return log.scrollHeight - log.scrollTop - log.clientHeight < 80;
  }

  // A map-pin icon (no emoji: not every phone font has it).
  function pin() {
    var ns = 'http://www.w3.org/2000/svg';
    var svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('width', '16');
    svg.setAttribute('height', '16');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('class', 'pin');
    var path = document.createElementNS(ns, 'path');
    path.setAttribute('d', 'M12 21s-7-6.2-7-11a7 7 0 0 1 14 0c0 4.8-7 11-7 11z');
    path.setAttribute('fill', 'currentColor');
    svg.appendChild(path);
    return svg;
  }

  function quickReplies(buttons) {
    var box = el('div', 'quick');
    buttons.forEach(function (b) {
      labels[b.value] = b.label;
      var btn = el('button', null, b.label);
      btn.type = 'button';
      btn.setAttribute('data-value', b.value);
      btn.addEventListener('click', function () { send({ type: 'text', text: b.value }); });
      box.appendChild(btn);
    });
    return box;
  }

  function bubbleBody(c, mine) {
    var bubble = el('div', 'bubble');
    if (c.type === 'text') {
      bubble.textContent = mine && labels[c.text] ? labels[c.text] : c.text;
    } else if (c.type === 'image') {
      var img = document.createElement('img');
      img.src = '/media/' + encodeURIComponent(c.media_id) + '/thumb';
      img.alt = t.photo;
      img.addEventListener('load', function () { log.scrollTop = log.scrollHeight; });
      bubble.appendChild(img);
    } else if (c.type === 'location') {
      bubble.appendChild(pin());
      bubble.appendChild(document.createTextNode(c.label || (mine ? t.my_location : c.lat.toFixed(5) + ', ' + c.lng.toFixed(5))));
    } else if (c.type === 'card') {
      bubble.classList.add('card');
      bubble.appendChild(el('span', 'title', c.title));
      if (c.text) bubble.appendChild(document.createTextNode(c.text));
      if (c.quick_replies && c.quick_replies.length) bubble.appendChild(quickReplies(c.quick_replies));
    }
    return bubble;
  }

  // Adds a message in sequence order (the WebSocket and the API may both bring it).
  function add(m) {
    if (!m || m.conversation_id !== conversation || !m.content) return;
    if (log.querySelector('[data-seq="' + m.seq + '"]')) return;
    var stick = atBottom();
    var row;
    if (m.content.type === 'system') {
      row = el('p', 'system', m.content.text);
    } else {
      var mine = m.sender_id && m.sender_id === HL.config.me;
      row = el('div', 'bubble-row ' + (mine ? 'mine' : 'theirs'));
      var who = mine ? t.me : t.bot;
      var avatar = el('span', 'avatar', who.slice(0, 1));
      avatar.setAttribute('aria-hidden', 'true');
      row.appendChild(avatar);
      var body = bubbleBody(m.content, mine);
      var sr = el('span', 'visually-hidden', who + ': ');
      body.insertBefore(sr, body.firstChild);
      row.appendChild(body);
    }
    row.setAttribute('data-seq', m.seq);
    row.setAttribute('data-role', m.sender_role);
    var after = null;
    Array.prototype.some.call(log.children, function (c) {
      if (Number(c.getAttribute('data-seq')) > m.seq) { after = c; return true; }
      return false;
    });
    log.insertBefore(row, after);
    lastSeq = Math.max(lastSeq, m.seq);
    if (stick || (m.sender_id && m.sender_id === HL.config.me)) log.scrollTop = log.scrollHeight;
  }

  function catchUp() {
    return HL.api('GET', '/api/v1/conversations/' + conversation + '/messages?after=' + lastSeq + '&limit=200')
      .then(function (page) { page.items.forEach(add); });
  }

  function busy(on) {
    Array.prototype.forEach.call(composer.querySelectorAll('button, input'), function (c) { c.disabled = on; });
  }

  function send(content) {
    if (!conversation) return Promise.resolve();
    HL.notice('');
    var body = Object.assign({ client_msg_id: HL.uid() }, content);
    busy(true);
    return HL.api('POST', '/api/v1/conversations/' + conversation + '/messages', body)
      .then(function (m) { add(m); return catchUp(); })
      .catch(function (f) { HL.notice(HL.errorText(f, t.send_failed)); })
      .then(function () { busy(false); text.focus(); });
  }

  composer.addEventListener('submit', function (e) {
    e.preventDefault();
    var value = text.value.trim();
    if (!value) return;
    send({ type: 'text', text: value }).then(function () { text.value = ''; });
  });

  photo.addEventListener('change', function () {
    var file = photo.files && photo.files[0];
    if (!file) return;
    var form = new FormData();
    form.append('file', file, file.name || 'photo.jpg');
    HL.notice('');
    HL.status(t.uploading);
    busy(true);
    HL.api('POST', '/api/v1/media', form)
      .then(function (media) {
        HL.status('');
        busy(false);
        return send({ type: 'image', media_id: media.id });
      })
      .catch(function (f) {
        HL.status('');
        busy(false);
        HL.notice(HL.errorText(f, t.upload_failed));
      })
      .then(function () { photo.value = ''; });
  });

  function askPlace() {
    HL.status('');
    place.hidden = false;
    placeInput.focus();
  }

  locBtn.addEventListener('click', function () {
    if (!navigator.geolocation) { askPlace(); return; }
    HL.status(t.locating);
    navigator.geolocation.getCurrentPosition(
      function (pos) {
        HL.status('');
        var p = wgs84ToGcj02(pos.coords.latitude, pos.coords.longitude);
        // No label: the bot names the place from the region it falls in.
        send({ type: 'location', lat: p.lat, lng: p.lng, label: null });
      },
      function () {
        HL.notice(t.location_failed);
        askPlace();
      },
      { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 }
    );
  });

  place.addEventListener('submit', function (e) {
    e.preventDefault();
    var value = placeInput.value.trim();
    if (!value) return;
    send({ type: 'text', text: value }).then(function () { placeInput.value = ''; place.hidden = true; });
  });
  document.getElementById('place-cancel').addEventListener('click', function () {
    place.hidden = true;
    text.focus();
  });

  HL.api('POST', '/api/v1/conversations', { kind: 'intake' })
    .then(function (c) {
      conversation = c.id;
      log.setAttribute('data-conversation', c.id);
      return HL.api('GET', '/api/v1/conversations/' + c.id + '/messages?limit=100');
    })
    .then(function (page) {
      page.items.forEach(add);
      log.scrollTop = log.scrollHeight;
      document.body.setAttribute('data-ready', '1');
      HL.socket({
        open: function (ws) {
          ws.send(JSON.stringify({ type: 'resume', cursors: [{ conversation_id: conversation, after_seq: lastSeq }] }));
        },
        event: function (frame) {
          if (frame.type === 'message') add(frame.message);
        }
      });
    })
    .catch(function (f) { HL.notice(HL.errorText(f)); });
})();
