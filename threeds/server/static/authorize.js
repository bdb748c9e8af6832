// The 3-D Secure pages of the Kessai gateway. Every page works without
// this script (plain forms and links); with it, the steps go by themselves.
(function () {
  'use strict';
  var body = document.body;
  var kind = body.getAttribute('data-kind');
  function el(id) { return document.getElementById(id); }
  function set(id, v) { var e = el(id); if (e) { e.value = String(v); } }

  if (kind === 'start') {
    var form = el('browser-form');
    set('browser_javascript_enabled', 'true');
    set('browser_java_enabled', navigator.javaEnabled ? String(navigator.javaEnabled()) : 'false');
    set('browser_color_depth', screen.colorDepth);
    set('browser_screen_height', screen.height);
    set('browser_screen_width', screen.width);
    set('browser_tz', new Date().getTimezoneOffset());
    el('continue').classList.add('js-hidden');
    var sent = false;
    var go = function () { if (!sent) { sent = true; form.submit(); } };
    var method = el('method-form');
    if (!method) { go(); return; }
    // The ACS's notification page tells us the 3DS Method is done; after
    // the time limit we go on without it (threeDSCompInd N).
    window.addEventListener('message', function (e) {
      if (e.origin === location.origin && e.data && e.data.kessai3ds === 'method') { go(); }
    });
    setTimeout(go, Number(body.getAttribute('data-method-timeout')) || 10000);
    method.submit();
  } else if (kind === 'challenge') {
    el('creq-submit').classList.add('js-hidden');
    el('creq-form').submit();
  } else if (kind === 'method-done') {
    if (window.parent !== window) { window.parent.postMessage({ kessai3ds: 'method' }, location.origin); }
  } else if (kind === 'breakout') {
    window.top.location.href = el('next').href;
  } else if (kind === 'final') {
    var result = JSON.parse(body.getAttribute('data-result') || '{}');
    if (body.getAttribute('data-display') === 'popup' && window.opener) {
      window.opener.postMessage(result, body.getAttribute('data-origin'));
      window.close();
    } else if (body.getAttribute('data-display') === 'popup') {
      location.replace(el('return').href);
    }
  }
})();
