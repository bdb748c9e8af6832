// Package payment is Kessai's charge service: it implements the payment
// services of the root package (charges, refunds, customers, events,
// transactions, balance, search) on the database ([sqlstore]), the card
// vault and the card network ([kessai.NetworkLink]).
//
// # A charge
//
// A charge on a token is two writes around the network:
//
//  1. one write transaction marks the token used, takes the card data out of
//     the vault (which destroys the security code) and stores the charge as
//     pending with its authorization in flight;
//  2. the authorization goes to the network (and, for capture=true, the
//     capture right after it);
//  3. one write transaction stores the outcome, its event, the ledger
//     transaction of a capture and the token's charge_status.
//
// So the charge exists before anything leaves, and a crash between 1 and 3
// leaves a charge marked in flight: [Service.Recover] reverses those
// authorizations and fails the charges. A declined card is not an error: the
// charge is failed with the failure code the network mapped from the
// issuer's response code.
//
// Capture, reverse and expire mark the charge in flight in one write, talk
// to the network, and store the outcome in a second write; the in-flight
// mark keeps two requests (or two gateway nodes) from acting on one charge
// at once, and each write checks the charge's version.
//
// Uncaptured authorizations expire after 7 days (30 for Japanese accounts);
// [Service.Sweep] reverses and expires them, and [Service.Run] calls it
// periodically.
//
// # Customers
//
// Attaching a card to a customer first verifies it: an authorization of
// amount 0 that checks the security code, reversed at once. A card that
// fails verification is not attached and the request fails with
// invalid_card. Charges on saved cards carry no security code and are
// marked as stored-credential transactions.
package payment
