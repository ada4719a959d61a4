package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/vigilsec/vigil/internal/finding"
)

func runFindings(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: vigil findings list|get ID|sample --type TYPE")
	}
	f := newClientFlags("findings "+args[0], stderr)
	var types stringList
	f.fs.Var(&types, "type", "finding type; repeatable (list: filter; sample: types to make, all 46 when none)")
	pos, c, err := f.parse(args[1:])
	if err != nil {
		return err
	}
	switch args[0] {
	case "list":
		fs, err := c.ListFindings(ctx, types)
		if err != nil {
			return err
		}
		return printFindings(stdout, fs, f.json)
	case "get":
		if len(pos) != 1 {
			return fmt.Errorf("usage: vigil findings get ID")
		}
		fd, err := c.GetFinding(ctx, pos[0])
		if err != nil {
			return err
		}
		return printJSON(stdout, fd)
	case "sample":
		fs, err := c.CreateSampleFindings(ctx, types)
		if err != nil {
			return err
		}
		return printFindings(stdout, fs, f.json)
	}
	return fmt.Errorf("unknown findings command %q (want list, get or sample)", args[0])
}

func printFindings(w io.Writer, fs []finding.Finding, asJSON bool) error {
	if asJSON {
		return printJSON(w, nonNil(fs))
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSEVERITY\tTYPE\tRESOURCE\tCOUNT\tUPDATED")
	for _, x := range fs {
		fmt.Fprintf(tw, "%s\t%g\t%s\t%s\t%d\t%s\n", x.ID, x.Severity, x.Type, x.Resource.ResourceType, x.Service.Count, x.UpdatedAt)
	}
	return tw.Flush()
}
