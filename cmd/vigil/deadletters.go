package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"github.com/vigilsec/vigil/internal/api"
)

func runDeadLetters(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: vigil dead-letters list|redrive [ID…]")
	}
	f := newClientFlags("dead-letters "+args[0], stderr)
	pos, c, err := f.parse(args[1:])
	if err != nil {
		return err
	}
	switch args[0] {
	case "list":
		ds, err := c.ListDeadLetters(ctx)
		if err != nil {
			return err
		}
		return printDeadLetters(stdout, ds, f.json)
	case "redrive":
		var ids []int64
		for _, p := range pos {
			id, err := strconv.ParseInt(p, 10, 64)
			if err != nil {
				return fmt.Errorf("dead-letter id %q: not a number", p)
			}
			ids = append(ids, id)
		}
		n, err := c.Redrive(ctx, ids)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "redriven: %d\n", n)
		return err
	}
	return fmt.Errorf("unknown dead-letters command %q (want list or redrive)", args[0])
}

func printDeadLetters(w io.Writer, ds []api.DeadLetter, asJSON bool) error {
	if asJSON {
		return printJSON(w, nonNil(ds))
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tRULE\tTARGET\tATTEMPTS\tFAILED\tREASON")
	for _, d := range ds {
		fmt.Fprintf(tw, "%d\t%s\t%s (%s)\t%d\t%s\t%s\n", d.ID, d.Rule, d.TargetID, d.Kind, d.Attempts, d.FailedAt.Format("2006-01-02T15:04:05Z"), d.Reason)
	}
	return tw.Flush()
}
