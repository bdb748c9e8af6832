// Package bench is the load generator behind `kessai bench`. It drives a
// [Scenario] against a Kessai server on a loopback address, either closed
// loop (a fixed number of workers, each sending its next request when the
// last one is answered) or open loop (requests started at a fixed rate,
// whatever the latency, with latency measured from each request's scheduled
// start so that a slow server cannot hide its queueing).
//
// A run is bounded by a duration, a request count or both. It writes a
// progress line every second and returns a [Result] with throughput,
// latency percentiles (from a log-linear histogram, within 0.4%) and error
// counts by kind. The [Ceiling] scenario measures the same client against a
// trivial in-process server, so that a result can be stated as a share of
// what the machine can do at all.
//
// The scenarios ([Lookup] finds them by name) are "tokens" and
// "tokens-form" (the vault), "charges" and "charges-auth" (a token, then a
// charge captured or only authorized), "capture", "refunds", "customers"
// (charges of saved cards) and "mixed" (a fixed mix of these and reads).
// Iterations of several requests are timed as a whole; their errors are
// counted by the kind of the failing request's error, and a declined charge
// under "charge failed <failure_code>".
//
// Targets must be loopback addresses: the client refuses to dial anything
// else, also after DNS resolution, and does not follow redirects or use
// proxies.
package bench
