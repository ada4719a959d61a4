package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/vigilsec/vigil/internal/bus"
)

// targetFlags are `vigil rules put`'s target flags beside --email.
type targetFlags struct {
	webhooks, headers, slacks, files, topics stringList
	secret, input, inputPath, transformer    string
}

func (t *targetFlags) register(fs *flag.FlagSet) {
	fs.Var(&t.webhooks, "webhook", "webhook target URL (JSON POST); repeatable")
	fs.StringVar(&t.secret, "webhook-secret", "", "HMAC-SHA256 signing secret of the --webhook targets")
	fs.Var(&t.headers, "webhook-header", "NAME: VALUE header of the --webhook targets; repeatable")
	fs.Var(&t.slacks, "slack", "Slack incoming-webhook URL target; repeatable")
	fs.Var(&t.files, "file", "JSON-lines file target (absolute path); repeatable")
	fs.Var(&t.topics, "topic", "topic target name; repeatable")
	fs.StringVar(&t.input, "input", "", "constant JSON sent instead of the event (EventBridge Input), for every target")
	fs.StringVar(&t.inputPath, "input-path", "", "JSONPath of the part of the event to send (EventBridge InputPath)")
	fs.StringVar(&t.transformer, "input-transformer", "", `file with {"inputPathsMap":{…},"inputTemplate":"…"} (EventBridge InputTransformer)`)
}

// targets appends the targets the flags describe to ts and applies the
// input options to every target.
func (t *targetFlags) targets(ts []bus.Target) ([]bus.Target, error) {
	headers := map[string]string{}
	for _, h := range t.headers {
		name, value, ok := strings.Cut(h, ":")
		if !ok {
			return nil, fmt.Errorf("--webhook-header %q: want NAME: VALUE", h)
		}
		headers[strings.TrimSpace(name)] = strings.TrimSpace(value)
	}
	for _, u := range t.webhooks {
		ts = append(ts, bus.Target{Kind: bus.TargetWebhook, Webhook: &bus.WebhookTarget{URL: u, Secret: t.secret, Headers: headers}})
	}
	for _, u := range t.slacks {
		ts = append(ts, bus.Target{Kind: bus.TargetSlack, Slack: &bus.SlackTarget{URL: u}})
	}
	for _, p := range t.files {
		ts = append(ts, bus.Target{Kind: bus.TargetFile, File: &bus.FileTarget{Path: p}})
	}
	for _, n := range t.topics {
		ts = append(ts, bus.Target{Kind: bus.TargetTopic, Topic: &bus.TopicTarget{Name: n}})
	}
	var tr *bus.InputTransformer
	if t.transformer != "" {
		data, err := os.ReadFile(t.transformer)
		if err != nil {
			return nil, fmt.Errorf("reading --input-transformer: %w", err)
		}
		tr = &bus.InputTransformer{}
		if err := jsonStrict(data, tr); err != nil {
			return nil, fmt.Errorf("--input-transformer %s: %w", t.transformer, err)
		}
	}
	for i := range ts {
		ts[i].Input, ts[i].InputPath, ts[i].InputTransformer = t.input, t.inputPath, tr
	}
	return ts, nil
}
