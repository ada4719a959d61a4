// Package notify delivers bus events to targets: one file per target kind,
// each a pure payload builder plus a Send. It never retries on its own; the
// bus dispatcher does, using bus.Permanent to tell what not to retry.
//
// Files: sender.go dispatches on Target.Kind; email*.go is the email kind
// (email.go builds the message, email_view.go and email_resource.go lay out
// findings and health events, email_mime.go serialises, email_smtp.go sends);
// webhook.go (signed JSON POST), slack.go (Slack incoming webhook) and
// file.go (JSON lines) are the other kinds; http.go is the one POST and its
// failure classes that webhook and Slack share.
//
// Payloads are the event envelope unless the target shapes its input, in
// which case they may be any JSON value or plain text; every kind handles
// both (docs/targets/*.md say how).
package notify
