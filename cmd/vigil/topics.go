package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/vigilsec/vigil/internal/bus"
)

func runTopics(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	const usage = "usage: vigil topics list|put NAME [--display-name S]|delete NAME|subscribe NAME --protocol P --endpoint E|subscriptions NAME|unsubscribe ID"
	if len(args) == 0 {
		return errors.New(usage)
	}
	f := newClientFlags("topics "+args[0], stderr)
	display := f.fs.String("display-name", "", "topic display name, for put")
	protocol := f.fs.String("protocol", "email", "email, email-json, webhook or slack, for subscribe")
	endpoint := f.fs.String("endpoint", "", "address or URL, for subscribe")
	pos, c, err := f.parse(args[1:])
	if err != nil {
		return err
	}
	one := func() (string, error) {
		if len(pos) != 1 {
			return "", errors.New(usage)
		}
		return pos[0], nil
	}
	switch args[0] {
	case "list":
		ts, err := c.ListTopics(ctx)
		if err != nil {
			return err
		}
		if f.json {
			return printJSON(stdout, nonNil(ts))
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tDISPLAY NAME")
		for _, t := range ts {
			fmt.Fprintf(tw, "%s\t%s\n", t.Name, t.DisplayName)
		}
		return tw.Flush()
	case "put":
		name, err := one()
		if err != nil {
			return err
		}
		t, err := c.PutTopic(ctx, bus.Topic{Name: name, DisplayName: *display})
		if err != nil {
			return err
		}
		return printJSON(stdout, t)
	case "delete":
		name, err := one()
		if err != nil {
			return err
		}
		return c.DeleteTopic(ctx, name)
	case "subscribe":
		name, err := one()
		if err != nil {
			return err
		}
		sub, err := c.Subscribe(ctx, name, *protocol, *endpoint)
		if err != nil {
			return err
		}
		return printSubscriptions(stdout, []bus.Subscription{sub}, f.json)
	case "subscriptions":
		name, err := one()
		if err != nil {
			return err
		}
		subs, err := c.ListSubscriptions(ctx, name)
		if err != nil {
			return err
		}
		return printSubscriptions(stdout, subs, f.json)
	case "unsubscribe":
		id, err := one()
		if err != nil {
			return err
		}
		return c.Unsubscribe(ctx, id)
	}
	return fmt.Errorf("unknown topics command %q; %s", args[0], usage)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func printSubscriptions(w io.Writer, subs []bus.Subscription, asJSON bool) error {
	if asJSON {
		return printJSON(w, nonNil(subs))
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTOPIC\tPROTOCOL\tENDPOINT\tSTATUS")
	for _, s := range subs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", s.ID, s.Topic, s.Protocol, s.Endpoint, s.Status)
	}
	return tw.Flush()
}
