package main

import (
	"context"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/jwtgate/jwtgate/jwtauth"
	"github.com/jwtgate/jwtgate/jwtauth/jwtauthtest"
)

// start serves newServer on a loopback port and returns a health client
// connected to it over a real gRPC connection.
func start(t *testing.T, cfg jwtauth.Config) healthpb.HealthClient {
	t.Helper()
	v, err := jwtauth.New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { v.Close() })
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := newServer(v)
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	return healthpb.NewHealthClient(conn)
}

func withToken(ctx context.Context, authorization ...string) context.Context {
	for _, a := range authorization {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", a)
	}
	return ctx
}

func idpConfig(idp *jwtauthtest.Issuer) jwtauth.Config {
	cfg := idp.Config()
	cfg.RoleAttributePath = "role"
	return cfg
}

func TestUnary(t *testing.T) {
	idp := jwtauthtest.NewIssuer(t)
	c := start(t, idpConfig(idp))
	good := idp.Sign(map[string]any{"sub": "alice", "role": "Viewer"})
	expired := idp.Sign(map[string]any{"sub": "alice", "exp": 1000})

	tests := []struct {
		name string
		auth []string
		want codes.Code
	}{
		{"valid token", []string{"Bearer " + good}, codes.OK},
		{"scheme in another case", []string{"bearer " + good}, codes.OK},
		{"no token", nil, codes.Unauthenticated},
		{"no Bearer scheme", []string{good}, codes.Unauthenticated},
		{"expired token", []string{"Bearer " + expired}, codes.Unauthenticated},
		{"tampered token", []string{"Bearer " + good[:len(good)-4] + "AAAA"}, codes.Unauthenticated},
		{"repeated metadata", []string{"Bearer " + good, "Bearer " + good}, codes.Unauthenticated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := c.Check(withToken(t.Context(), tt.auth...), &healthpb.HealthCheckRequest{})
			require.Equal(t, tt.want, status.Code(err), "error: %v", err)
			if tt.want == codes.OK {
				assert.Equal(t, healthpb.HealthCheckResponse_SERVING, resp.GetStatus())
				return
			}
			// The message is generic: it never carries the token.
			assert.NotContains(t, status.Convert(err).Message(), good[:20])
		})
	}
}

// Watch is a server stream that needs the Editor role.
func TestStreamRole(t *testing.T) {
	idp := jwtauthtest.NewIssuer(t)
	c := start(t, idpConfig(idp))

	for _, tt := range []struct {
		role string
		want codes.Code
	}{
		{"Editor", codes.OK},
		{"Admin", codes.OK},
		{"Viewer", codes.PermissionDenied},
		{"None", codes.PermissionDenied},
	} {
		t.Run(tt.role, func(t *testing.T) {
			ctx := withToken(t.Context(), "Bearer "+idp.Sign(map[string]any{"sub": "bob", "role": tt.role}))
			stream, err := c.Watch(ctx, &healthpb.HealthCheckRequest{})
			require.NoError(t, err) // a stream's error arrives with its first message
			resp, err := stream.Recv()
			require.Equal(t, tt.want, status.Code(err), "error: %v", err)
			if tt.want == codes.OK {
				assert.Equal(t, healthpb.HealthCheckResponse_SERVING, resp.GetStatus())
			}
		})
	}

	stream, err := c.Watch(t.Context(), &healthpb.HealthCheckRequest{})
	require.NoError(t, err)
	_, err = stream.Recv()
	assert.Equal(t, codes.Unauthenticated, status.Code(err), "a stream without a token")
}

// A strict role mapping refuses with PermissionDenied, and a key server
// that is down gives Unavailable, so clients can retry.
func TestStatusMapping(t *testing.T) {
	idp := jwtauthtest.NewIssuer(t)
	cfg := idpConfig(idp)
	cfg.RoleAttributeStrict = true
	c := start(t, cfg)
	_, err := c.Check(withToken(t.Context(), "Bearer "+idp.Sign(map[string]any{"sub": "carol"})), &healthpb.HealthCheckRequest{})
	assert.Equal(t, codes.PermissionDenied, status.Code(err), "no role under role_attribute_strict: %v", err)

	down := jwtauth.Config{
		OIDCIssuerURL: "https://127.0.0.1:1", // nothing listens on port 1
		HTTPClient:    idp.Client(),
	}
	c = start(t, down)
	_, err = c.Check(withToken(t.Context(), "Bearer "+idp.Sign(map[string]any{"sub": "carol"})), &healthpb.HealthCheckRequest{})
	assert.Equal(t, codes.Unavailable, status.Code(err), "keys unavailable: %v", err)
}
