package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/vigilsec/vigil/internal/finding"
)

func runFilters(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	const usage = "usage: vigil filters list|put NAME --file FILTER.json|delete NAME"
	if len(args) == 0 {
		return errors.New(usage)
	}
	f := newClientFlags("filters "+args[0], stderr)
	file := f.fs.String("file", "", `filter JSON: {"action":"ARCHIVE","rank":1,"findingCriteria":{"criterion":{…}}}`)
	pos, c, err := f.parse(args[1:])
	if err != nil {
		return err
	}
	switch {
	case args[0] == "list":
		fs, err := c.ListFilters(ctx)
		if err != nil {
			return err
		}
		return printFilters(stdout, fs, f.json)
	case args[0] == "put" && len(pos) == 1 && *file != "":
		data, err := os.ReadFile(*file)
		if err != nil {
			return fmt.Errorf("reading filter: %w", err)
		}
		var flt finding.Filter
		if err := jsonStrict(data, &flt); err != nil {
			return fmt.Errorf("%s: %w", *file, err)
		}
		flt.Name = pos[0]
		saved, err := c.PutFilter(ctx, flt)
		if err != nil {
			return err
		}
		return printFilters(stdout, []finding.Filter{saved}, f.json)
	case args[0] == "delete" && len(pos) == 1:
		return c.DeleteFilter(ctx, pos[0])
	}
	return errors.New(usage)
}

func printFilters(w io.Writer, fs []finding.Filter, asJSON bool) error {
	if asJSON {
		return printJSON(w, nonNil(fs))
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RANK\tNAME\tACTION\tCRITERIA")
	for _, f := range fs {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d attributes\n", f.Rank, f.Name, f.Action, len(f.FindingCriteria.Criterion))
	}
	return tw.Flush()
}
