// Package ds is a simulated EMV 3-D Secure Directory Server: the card
// scheme's router between 3DS Servers and issuers' ACSs.
//
// A [Server] serves one URL and dispatches on messageType:
//
//   - PReq → PRes: the card ranges of [Config.Ranges] with each ACS's
//     versions and 3DS Method URL. serialNum names the range list; a PReq
//     with another serial is 307, and one sooner than
//     [Config.PReqInterval] after the last from the same 3DS Server is 103.
//   - AReq → ARes: the DS validates the AReq (the codes of package
//     threeds; 303 for a 3DS Server it does not know, 305 for a card in
//     no range, 102 for a version the range's ACS does not speak), gives
//     it a dsTransID, keeps the threeDSServerURL for the RReq, forwards it
//     to the range's ACS and relays the ARes (checked against the AReq) or
//     the ACS's Erro. An ACS that does not answer within
//     [Config.ACSTimeout] is Erro 402; one that cannot be reached, 405.
//   - RReq → RRes: from the ACS, relayed to the threeDSServerURL kept for
//     its dsTransID, and the 3DS Server's RRes (or Erro) relayed back.
//     An unknown transaction, an RReq for a transaction whose ARes was not
//     C or D, or a second RReq with another result is 301 (2.3.1 would
//     say 313 and 312); the same RReq again gets the same RRes, without a
//     second relay, so an ACS may retry safely.
//
// Every answer is a message with HTTP status 200; errors are Erro
// messages with component D. Requests must come over TLS with a client
// certificate verified by the listener (mutual TLS, see devpki), else
// 303. Transactions are kept in memory for [Config.Retention]: the DS
// belongs to the scheme, never to the gateway's database.
//
// [Client] is what a 3DS Server uses to talk to a DS.
package ds
