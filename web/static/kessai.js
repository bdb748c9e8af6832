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

  var Kessai = {
    config: config,
    setPublicKey: setPublicKey,
    setVaultUrl: setVaultUrl,
    createToken: createToken
  };

  global.Kessai = Kessai;
  // Existing Omise.js integrations work by swapping the script tag.
  if (!global.Omise) {
    global.Omise = Kessai;
  }
})(window);
