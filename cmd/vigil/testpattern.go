package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/vigilsec/vigil/internal/api"
)

// runTestPattern is EventBridge's TestEventPattern on the command line: it
// needs no server. It prints {"result":true|false} and exits 0 for a valid
// pattern; for an invalid one it prints the error (with the pattern path)
// and exits non-zero.
func runTestPattern(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("rules test-pattern", flag.ContinueOnError)
	fs.SetOutput(stderr)
	patFile := fs.String("pattern", "", "event pattern file (JSON)")
	evFile := fs.String("event", "", "event file (JSON)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *patFile == "" || *evFile == "" || fs.NArg() > 0 {
		return fmt.Errorf("usage: vigil rules test-pattern --pattern FILE --event FILE")
	}
	pat, err := os.ReadFile(*patFile)
	if err != nil {
		return fmt.Errorf("reading pattern: %w", err)
	}
	ev, err := os.ReadFile(*evFile)
	if err != nil {
		return fmt.Errorf("reading event: %w", err)
	}
	ok, err := api.TestPattern(pat, ev)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "{\"result\":%t}\n", ok)
	return err
}
