package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
)

func runCoverage(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "list" {
		return fmt.Errorf("usage: vigil coverage list [--json]")
	}
	f := newClientFlags("coverage list", stderr)
	_, c, err := f.parse(args[1:])
	if err != nil {
		return err
	}
	rs, err := c.ListCoverage(ctx)
	if err != nil {
		return err
	}
	if f.json {
		return printJSON(stdout, nonNil(rs))
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RESOURCE\tTYPE\tSTATUS\tISSUE\tUPDATED")
	for _, r := range rs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.ResourceID, r.ResourceDetails.ResourceType, r.CoverageStatus, r.Issue, r.UpdatedAt)
	}
	return tw.Flush()
}
