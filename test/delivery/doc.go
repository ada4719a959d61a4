// Package delivery tests and measures notification delivery end to end:
// the real `vigil server` binary as a process, a real mailpit as the SMTP
// server, and a webhook receiver in the test process that verifies every
// request's signature and counts deliveries by event id. Findings are made
// as an agent makes them: a real uplink client sends connect events to
// addresses on a threat list over the TLS agent channel.
//
// The fault tests (SMTP down for two minutes; the server killed with -9 in
// the middle of a burst) and the benchmarks are described, with their
// figures, in docs/delivery.md. They need mailpit (see internal/mailpittest)
// but no kernel features and no root:
//
//	go test -count=1 -v -timeout 20m ./test/delivery
//	go test -count=1 -run '^$' -bench 'Burst10k|FindingToMail' -benchtime 1x -timeout 30m ./test/delivery
//
// -short skips the two-minute outage.
package delivery
