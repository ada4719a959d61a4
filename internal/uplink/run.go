package uplink

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"time"

	pb "github.com/vigilsec/vigil/internal/wire/agentpb"
	"google.golang.org/grpc"
	grpcbackoff "google.golang.org/grpc/backoff"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/status"
)

// Run connects to the server and ships events until ctx is done (then it
// returns nil) or the server refuses this agent for a reason retrying
// cannot fix: a wrong token, a disallowed network or an invalid Hello. Any
// other failure leads to a reconnect after a backoff. Run must not be
// called twice at once.
func (c *Client) Run(ctx context.Context) error {
	if !c.running.CompareAndSwap(false, true) {
		return errors.New("uplink: Run called twice")
	}
	defer c.running.Store(false)
	conn, err := c.dial()
	if err != nil {
		return err
	}
	defer conn.Close()
	client := pb.NewIngestClient(conn)
	bo := backoff{min: c.cfg.MinBackoff, max: c.cfg.MaxBackoff}
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			c.reconnects.Add(1)
		}
		welcomed, err := c.session(ctx, client)
		c.connected.Store(false)
		if ctx.Err() != nil {
			return nil
		}
		if permanent(err) {
			return fmt.Errorf("uplink: server refused agent %q: %w", c.cfg.Agent.ID, err)
		}
		if welcomed {
			bo.reset()
		}
		delay := bo.next()
		c.log.Warn("stream to server ended; reconnecting", "err", err, "in", delay)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(delay):
		}
	}
}

func (c *Client) dial() (*grpc.ClientConn, error) {
	tlsCfg := c.cfg.TLS.Clone()
	if tlsCfg.MinVersion < tls.VersionTLS13 {
		tlsCfg.MinVersion = tls.VersionTLS13
	}
	conn, err := grpc.NewClient(c.cfg.Server,
		grpc.WithTransportCredentials(credentials.NewTLS(tlsCfg)),
		grpc.WithPerRPCCredentials(bearer(c.cfg.Token)),
		// The channel's own reconnects follow our backoff bounds, so a
		// restarted server is found as quickly as our retry loop asks.
		grpc.WithConnectParams(grpc.ConnectParams{
			Backoff:           grpcbackoff.Config{BaseDelay: c.cfg.MinBackoff, Multiplier: 2, Jitter: 0.2, MaxDelay: c.cfg.MaxBackoff},
			MinConnectTimeout: 10 * time.Second,
		}),
		// Keepalive notices a dead server behind a silent network so that
		// events are resent elsewhere instead of waiting on a dead TCP.
		grpc.WithKeepaliveParams(keepalive.ClientParameters{Time: 30 * time.Second, Timeout: 10 * time.Second, PermitWithoutStream: true}),
	)
	if err != nil {
		return nil, fmt.Errorf("uplink: dial %s: %w", c.cfg.Server, err)
	}
	return conn, nil
}

func permanent(err error) bool {
	switch status.Code(err) {
	case codes.Unauthenticated, codes.PermissionDenied, codes.InvalidArgument:
		return true
	}
	return false
}

// bearer presents the enrollment token on every stream; gRPC refuses to
// send it over a connection without transport security.
type bearer string

func (b bearer) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + string(b)}, nil
}

func (bearer) RequireTransportSecurity() bool { return true }
