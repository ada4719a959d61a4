// Command vigil is runtime threat detection for Linux containers: one
// binary with the service (`up`, `server`), the agent (`agent`) and the
// client commands (`findings`, `coverage`, `rules`).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

const usage = `vigil — runtime threat detection for Linux containers

Usage:
  vigil up       [--config FILE] [--data DIR] [--listen HOST:PORT] [--smtp HOST:PORT] …
                 detection service + local agent on this host (run as root)
  vigil server   [--config FILE] [--data DIR] [--listen HOST:PORT] [--ingest HOST:PORT] …
  vigil agent    --server HOST:PORT --token-file FILE --ca-file FILE [--output json]
  vigil findings list|get ID|sample --type TYPE   [--json]
  vigil coverage list                             [--json]
  vigil rules    list|put NAME --pattern FILE --email ADDR|delete NAME|enable NAME|disable NAME [--json]
  vigil rules    test-pattern --pattern FILE --event FILE   (no server needed)
  vigil filters  list|put NAME --file FILTER.json|delete NAME   (ARCHIVE = suppression rule)
  vigil topics   list|put NAME|delete NAME|subscribe NAME --protocol P --endpoint E|subscriptions NAME|unsubscribe ID
  vigil dead-letters list|redrive [ID…]           [--json]
  vigil version

Client commands find the server and token from --server/--token, then
VIGIL_SERVER/VIGIL_TOKEN, then the data directory (--data, default /var/lib/vigil).
Run "vigil COMMAND -h" for a command's flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "vigil:", err)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return flag.ErrHelp
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "up":
		return runUp(ctx, rest, stderr)
	case "server":
		return runServer(ctx, rest, stderr)
	case "agent":
		return runAgent(ctx, rest, stdout, stderr)
	case "findings":
		return runFindings(ctx, rest, stdout, stderr)
	case "coverage":
		return runCoverage(ctx, rest, stdout, stderr)
	case "rules":
		return runRules(ctx, rest, stdout, stderr)
	case "filters":
		return runFilters(ctx, rest, stdout, stderr)
	case "topics":
		return runTopics(ctx, rest, stdout, stderr)
	case "dead-letters":
		return runDeadLetters(ctx, rest, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "vigil", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return fmt.Sprint(*s) }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }
