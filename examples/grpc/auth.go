package main

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/jwtgate/jwtgate/jwtauth"
)

// auth verifies the token in a call's "authorization" metadata with a
// jwtauth.Verifier, and checks a minimum role per method.
type auth struct {
	v *jwtauth.Verifier
	// minRole maps a full method name ("/pkg.Service/Method") to the role
	// it needs. A method not listed needs only a valid token.
	minRole map[string]jwtauth.Role
}

// Unary is the server's unary interceptor.
func (a *auth) Unary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	ctx, err := a.authenticate(ctx, info.FullMethod)
	if err != nil {
		return nil, err
	}
	return handler(ctx, req)
}

// Stream is the server's stream interceptor. The stream's handler sees the
// Identity through jwtauth.FromContext(ss.Context()).
func (a *auth) Stream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	ctx, err := a.authenticate(ss.Context(), info.FullMethod)
	if err != nil {
		return err
	}
	return handler(srv, &identityStream{ServerStream: ss, ctx: ctx})
}

// identityStream is a ServerStream whose context carries the Identity.
type identityStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *identityStream) Context() context.Context { return s.ctx }

// authenticate returns ctx with the caller's Identity, or a status error:
// Unauthenticated for a missing or refused token, PermissionDenied for a
// role below the method's minimum, Unavailable when the keys cannot be
// fetched. The message is generic: never the token or the error text, which
// go to the Verifier's Logger.
func (a *auth) authenticate(ctx context.Context, method string) (context.Context, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	vals := md.Get("authorization")
	switch {
	case len(vals) == 0:
		return nil, status.Error(codes.Unauthenticated, "missing bearer token")
	case len(vals) > 1:
		return nil, status.Error(codes.Unauthenticated, "authorization metadata is repeated")
	}
	token, ok := bearer(vals[0])
	if !ok {
		return nil, status.Error(codes.Unauthenticated, "authorization metadata is not a Bearer token")
	}
	id, err := a.v.Verify(ctx, token)
	if err != nil {
		return nil, statusFor(err)
	}
	if min, ok := a.minRole[method]; ok && !effectiveRole(id).AtLeast(min) {
		return nil, status.Error(codes.PermissionDenied, "role "+string(min)+" required")
	}
	return jwtauth.NewContext(ctx, id), nil
}

// effectiveRole is the Identity's role, with a Grafana server admin
// counting as Admin, as Verifier.RequireRole counts it.
func effectiveRole(id *jwtauth.Identity) jwtauth.Role {
	if id.IsGrafanaAdmin != nil && *id.IsGrafanaAdmin {
		return jwtauth.RoleAdmin
	}
	return id.Role
}

// bearer removes the "Bearer " scheme, matched case-insensitively.
func bearer(h string) (string, bool) {
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", false
	}
	return token, true
}

// statusFor maps a verification error to a gRPC status the way
// jwtauth.StatusCode maps it to HTTP.
func statusFor(err error) error {
	switch jwtauth.StatusCode(err) {
	case http.StatusForbidden:
		return status.Error(codes.PermissionDenied, "permission denied")
	case http.StatusServiceUnavailable:
		return status.Error(codes.Unavailable, "keys for token verification are unavailable")
	}
	if errors.Is(err, jwtauth.ErrNoToken) {
		return status.Error(codes.Unauthenticated, "missing bearer token")
	}
	return status.Error(codes.Unauthenticated, "invalid token")
}
