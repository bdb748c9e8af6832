/*! kessai.js: card tokenization for Kessai, with the call shape of Omise.js.
 *
 *   Kessai.setPublicKey('pkey_test_…');
 *   Kessai.createToken('card', {name, number, expiration_month,
 *       expiration_year, security_code, city, postal_code}, function (statusCode, response) {
 *     // 200 and response.object === 'token': send response.id to your server.
 *     // Otherwise response is an error object {object: 'error', code, message}.
 *   });
 *
 * The card goes from the browser straight to the vault (POST /tokens), so the
 * merchant's server never sees it. The vault is the origin this script was
 * loaded from, unless set with Kessai.setVaultUrl(url).
 */
(function (global) {
  'use strict';

  // The origin of this script, read while it runs (currentScript is null in
  // callbacks). It is the vault that serves kessai.js.
  var scriptOrigin = '';
  try {
    var src = document.currentScript && document.currentScript.src;
    scriptOrigin = new URL(src || global.location.href).origin;
  } catch (e) { /* no usable origin: setVaultUrl is then required */ }

  var publicKey = '';

  var config = {
    // vaultUrl is where tokens are created: vaultUrl + '/tokens'.
    vaultUrl: scriptOrigin,
    // timeout is how long a request may take, in milliseconds.
    timeout: 30000
  };

  function error(code, message) {
    return { object: 'error', code: code, message: message };
  }

  // later calls fn on a fresh task, so that callbacks are always asynchronous.
  function later(fn) {
    setTimeout(fn, 0);
  }

  function setPublicKey(key) {
    publicKey = String(key || '').trim();
  }

  function setVaultUrl(url) {
    config.vaultUrl = String(url || '').replace(/\/+$/, '');
  }

  function createToken(type, card, callback) {
    if (typeof callback !== 'function') {
      throw new TypeError('Kessai.createToken: callback must be a function');
    }
    if (type !== 'card') {
      later(function () { callback(400, error('invalid_type', 'only "card" tokens can be created')); });
      return;
    }
    if (!publicKey) {
      later(function () { callback(401, error('authentication_failure', 'call Kessai.setPublicKey first')); });
      return;
    }
    var auth;
    try {
      auth = 'Basic ' + btoa(publicKey + ':');
    } catch (e) {
      later(function () { callback(401, error('authentication_failure', 'the public key is malformed')); });
      return;
    }
    var url = String(config.vaultUrl).replace(/\/+$/, '') + '/tokens';
    var init = {
      method: 'POST',
      mode: 'cors',
      credentials: 'omit',
      cache: 'no-store',
      headers: {
        'Authorization': auth,
        'Content-Type': 'application/json',
        'Accept': 'application/json'
      },
      body: JSON.stringify({ card: card || {} })
    };
    if (typeof AbortSignal !== 'undefined' && AbortSignal.timeout) {
      init.signal = AbortSignal.timeout(config.timeout);
    }

    var status = 0;
    fetch(url, init).then(function (res) {
      status = res.status;
      return res.json().catch(function () {
        return error('invalid_response', 'the vault answered ' + res.status + ' without a JSON object');
      });
    }, function (err) {
      var timedOut = err && (err.name === 'TimeoutError' || err.name === 'AbortError');
      return error('network_error', timedOut ? 'the request to the vault timed out' :
        'the vault could not be reached (' + (err && err.message || 'network error') + ')');
    }).then(function (body) {
      if (body === null || typeof body !== 'object') {
        body = error('invalid_response', 'the vault answered ' + status + ' without a JSON object');
      }
      // Outside the promise chain, so that an exception in the callback
      // reaches window.onerror like any other.
      later(function () { callback(status, body); });
    });
  }

  // authorize runs the 3-D Secure authentication of a charge, behind its
  // authorize_uri (https://…/payments/paym_…/authorize).
  //
  //   Kessai.authorize(charge.authorize_uri, {mode: 'popup', timeout: 600000})
  //     .then(function (result) { … });
  //
  // mode 'popup' (the default) opens the gateway's pages in a popup; the
  // final page posts the result to this window and closes. The promise
  // resolves with {object: 'authorization_result', charge, status, final,
  // authenticated, failure_code}. When no result comes within timeout
  // milliseconds (default 10 minutes), or the popup is closed first, the
  // gateway is asked for the result instead (GET …/result), so the promise
  // always settles; it resolves with an error object when even that fails,
  // and rejects only for a bad argument or a blocked popup.
  //
  // mode 'redirect' takes this page to authorize_uri; the gateway comes back
  // to the charge's return_uri. That promise never settles.
  //
  // Either way, the result is a hint for the page: the merchant's server
  // confirms it with GET /charges/:id (or the charge.complete event).
  function authorize(authorizeUri, options) {
    options = options || {};
    var mode = options.mode || 'popup';
    var timeout = options.timeout > 0 ? options.timeout : 600000;
    var u;
    try {
      u = new URL(authorizeUri);
    } catch (e) {
      return Promise.reject(new TypeError('Kessai.authorize: authorizeUri must be an absolute URL'));
    }
    if (!/^\/payments\/[0-9a-z_]+\/authorize$/.test(u.pathname) || (u.protocol !== 'https:' && u.protocol !== 'http:')) {
      return Promise.reject(new TypeError('Kessai.authorize: authorizeUri is not an authorize_uri'));
    }
    if (mode === 'redirect') {
      global.location.assign(u.href);
      return new Promise(function () {});
    }
    if (mode !== 'popup') {
      return Promise.reject(new TypeError("Kessai.authorize: mode must be 'popup' or 'redirect'"));
    }
    var resultUrl = u.origin + u.pathname.replace(/\/authorize$/, '/result');
    u.searchParams.set('display', 'popup');
    return new Promise(function (resolve, reject) {
      var popup = global.open(u.href, 'kessai_authorize', 'popup,width=620,height=760');
      if (!popup) {
        reject(error('popup_blocked', 'the browser blocked the authentication window'));
        return;
      }
      var done = false;
      var timer, poll;
      function finish(result) {
        if (done) { return; }
        done = true;
        clearTimeout(timer);
        clearInterval(poll);
        global.removeEventListener('message', onMessage);
        resolve(result);
      }
      function ask() {
        if (done) { return; }
        fetch(resultUrl, { cache: 'no-store', credentials: 'omit' }).then(function (res) {
          return res.json();
        }).then(function (body) {
          finish(body && typeof body === 'object' ? body : error('invalid_response', 'the gateway answered without a result'));
        }, function () {
          finish(error('network_error', 'the authentication result could not be fetched'));
        });
      }
      function onMessage(e) {
        if (e.origin !== u.origin || e.source !== popup || !e.data || e.data.object !== 'authorization_result') { return; }
        finish(e.data);
      }
      global.addEventListener('message', onMessage);
      timer = setTimeout(function () {
        try { popup.close(); } catch (e) { /* already gone */ }
        ask();
      }, timeout);
      poll = setInterval(function () {
        if (popup.closed) {
          clearInterval(poll);
          // A message posted just before closing is still on its way.
          setTimeout(ask, 1000);
        }
      }, 250);
    });
  }

  var Kessai = {
    config: config,
    setPublicKey: setPublicKey,
    setVaultUrl: setVaultUrl,
    createToken: createToken,
    authorize: authorize
  };

  global.Kessai = Kessai;
  // Existing Omise.js integrations work by swapping the script tag.
  if (!global.Omise) {
    global.Omise = Kessai;
  }
})(window);
