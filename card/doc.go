// Package card holds the values of cardholder data: the card number
// ([Number]), the security code ([SecurityCode]), the expiry, the brand, and
// the checks a card must pass before it is tokenized (Luhn, length, brand,
// expiry, name, security code length).
//
// The sensitive types mask themselves in every textual form (String,
// GoString, fmt verbs, slog, JSON); the value itself is reached only through
// an explicit Reveal. The package has no I/O and imports only the standard
// library.
package card
