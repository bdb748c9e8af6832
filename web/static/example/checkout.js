// The example checkout: reads the card form, creates a token with kessai.js
// and shows the token id and the card's brand and last digits. It never
// writes the card number anywhere.
(function () {
  'use strict';

  var body = document.body;
  var form = document.getElementById('checkout');
  var button = document.getElementById('pay');
  var result = document.getElementById('result');
  var errorBox = document.getElementById('error');

  function field(id) {
    return document.getElementById(id);
  }

  function value(id) {
    return field(id).value.trim();
  }

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
    body.dataset.state = 'error';
  }

  if (!window.Kessai) {
    showError('kessai.js did not load.');
    return;
  }
  if (body.dataset.vaultUrl) {
    Kessai.setVaultUrl(body.dataset.vaultUrl);
  }
  button.disabled = false;
  body.dataset.state = 'ready';

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    result.hidden = true;
    errorBox.hidden = true;
    button.disabled = true;
    body.dataset.state = 'pending';

    Kessai.setPublicKey(value('public-key'));
    Kessai.createToken('card', {
      name: value('name'),
      number: value('number'),
      expiration_month: value('expiration-month'),
      expiration_year: value('expiration-year'),
      security_code: value('security-code'),
      city: value('city'),
      postal_code: value('postal-code')
    }, function (statusCode, response) {
      button.disabled = false;
      if (statusCode !== 200 || !response || response.object !== 'token') {
        showError((response && response.message) || ('The vault answered ' + statusCode + '.'));
        return;
      }
      // The number and security code have done their job: clear them, as a
      // shop page should before it goes on.
      field('number').value = '';
      field('security-code').value = '';
      field('token-id').textContent = response.id;
      field('card-brand').textContent = response.card ? response.card.brand : '';
      field('card-last-digits').textContent = response.card ? response.card.last_digits : '';
      result.hidden = false;
      body.dataset.state = 'token';
    });
  });
})();
