// Package fraud is Kessai's fraud engine: Radar-style rules compiled with
// expr, velocity counters (in-process or Redis), block and allow lists, and
// a transparent risk score. An [Engine] screens a charge before its
// authorization ([Engine.Screen]), learns its outcome afterwards
// ([Engine.Record]) and guards token creation against card testing
// ([Engine.AllowToken]); [Engine.Service] manages the rules and lists.
//
// A rule reads "ACTION if CONDITION": ACTION is block, review, request_3ds
// or allow, CONDITION an expr expression over the attributes of [Env]
// (Radar's ":name:" spelling works too). Rules are evaluated as Radar does:
// request_3ds rules first, each of them, without ending the evaluation;
// then allow rules (the allow list first), whose first match skips block
// and review; then block rules (the block list first), whose first match
// skips review; then review rules. A rule that names a missing attribute
// does not fire. Shadow rules are evaluated and recorded but never decide.
// docs/fraud.md lists the attributes, the built-in rules and the risk
// model.
package fraud
