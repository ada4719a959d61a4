package ingest

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"net"
	"net/netip"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
)

// authStream admits a stream only from an allowed network and with the
// enrollment token. The network is checked first so that hosts outside the
// allowlist learn nothing about the token.
func (s *Server) authStream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	ctx := ss.Context()
	if err := s.checkNetwork(ctx); err != nil {
		return err
	}
	if err := s.checkToken(ctx); err != nil {
		return err
	}
	return handler(srv, ss)
}

func (s *Server) checkNetwork(ctx context.Context) error {
	if len(s.cfg.AllowNetworks) == 0 {
		return nil
	}
	ip, ok := remoteIP(ctx)
	if !ok {
		return status.Error(codes.PermissionDenied, "remote address unknown")
	}
	for _, p := range s.cfg.AllowNetworks {
		if p.Contains(ip) {
			return nil
		}
	}
	s.log.Warn("agent stream from a network outside the allowlist", "remote", ip)
	return status.Errorf(codes.PermissionDenied, "address %s is not in an allowed network", ip)
}

// checkToken compares SHA-256 digests in constant time, so neither the
// token's bytes nor its length leak through timing.
func (s *Server) checkToken(ctx context.Context) error {
	md, _ := metadata.FromIncomingContext(ctx)
	vals := md.Get("authorization")
	if len(vals) != 1 {
		return status.Error(codes.Unauthenticated, "missing enrollment token")
	}
	tok, ok := strings.CutPrefix(vals[0], "Bearer ")
	got := sha256.Sum256([]byte(tok))
	if !ok || subtle.ConstantTimeCompare(got[:], s.tokenHash[:]) != 1 {
		ip, _ := remoteIP(ctx)
		s.log.Warn("agent stream with a wrong enrollment token", "remote", ip)
		return status.Error(codes.Unauthenticated, "invalid enrollment token")
	}
	return nil
}

func remoteIP(ctx context.Context) (netip.Addr, bool) {
	p, ok := peer.FromContext(ctx)
	if !ok || p.Addr == nil {
		return netip.Addr{}, false
	}
	if tcp, ok := p.Addr.(*net.TCPAddr); ok {
		ip, ok := netip.AddrFromSlice(tcp.IP)
		return ip.Unmap(), ok
	}
	ap, err := netip.ParseAddrPort(p.Addr.String())
	if err != nil {
		return netip.Addr{}, false
	}
	return ap.Addr().Unmap(), true
}

func remoteAddr(ctx context.Context) string {
	if p, ok := peer.FromContext(ctx); ok && p.Addr != nil {
		return p.Addr.String()
	}
	return ""
}
