package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/vigilsec/vigil/internal/bus"
)

func runRules(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: vigil rules list|put NAME --pattern FILE --email ADDR|delete NAME|enable NAME|disable NAME|test-pattern --pattern FILE --event FILE")
	}
	if args[0] == "test-pattern" {
		return runTestPattern(args[1:], stdout, stderr)
	}
	f := newClientFlags("rules "+args[0], stderr)
	var emails stringList
	patternFile := f.fs.String("pattern", "", "event pattern file (JSON), for put")
	description := f.fs.String("description", "", "rule description, for put")
	disabled := f.fs.Bool("disabled", false, "create the rule disabled, for put")
	f.fs.Var(&emails, "email", "email target address; repeatable, for put")
	var tf targetFlags
	tf.register(f.fs)
	pos, c, err := f.parse(args[1:])
	if err != nil {
		return err
	}
	switch args[0] {
	case "list":
		rs, err := c.ListRules(ctx)
		if err != nil {
			return err
		}
		return printRules(stdout, rs, f.json)
	case "put":
		if len(pos) != 1 || *patternFile == "" {
			return fmt.Errorf("usage: vigil rules put NAME --pattern FILE --email ADDR [--email ADDR]")
		}
		pat, err := os.ReadFile(*patternFile)
		if err != nil {
			return fmt.Errorf("reading pattern: %w", err)
		}
		if !json.Valid(pat) {
			return fmt.Errorf("%s: not valid JSON", *patternFile)
		}
		r := bus.Rule{Name: pos[0], Description: *description, Pattern: pat, Enabled: !*disabled}
		if len(emails) > 0 {
			r.Targets = append(r.Targets, bus.Target{Kind: bus.TargetEmail, Email: &bus.EmailTarget{To: emails}})
		}
		if r.Targets, err = tf.targets(r.Targets); err != nil {
			return err
		}
		saved, err := c.PutRule(ctx, r)
		if err != nil {
			return err
		}
		return printRules(stdout, []bus.Rule{saved}, f.json)
	case "delete":
		if len(pos) != 1 {
			return fmt.Errorf("usage: vigil rules delete NAME")
		}
		return c.DeleteRule(ctx, pos[0])
	case "enable", "disable":
		if len(pos) != 1 {
			return fmt.Errorf("usage: vigil rules %s NAME", args[0])
		}
		r, err := c.SetRuleEnabled(ctx, pos[0], args[0] == "enable")
		if err != nil {
			return err
		}
		return printRules(stdout, []bus.Rule{r}, f.json)
	}
	return fmt.Errorf("unknown rules command %q (want list, put, delete, enable, disable or test-pattern)", args[0])
}

func printRules(w io.Writer, rs []bus.Rule, asJSON bool) error {
	if asJSON {
		return printJSON(w, nonNil(rs))
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tENABLED\tTARGETS\tPATTERN")
	for _, r := range rs {
		var pat bytes.Buffer
		if json.Compact(&pat, r.Pattern) != nil {
			pat.Write(r.Pattern)
		}
		fmt.Fprintf(tw, "%s\t%v\t%d\t%s\n", r.Name, r.Enabled, len(r.Targets), pat.String())
	}
	return tw.Flush()
}
