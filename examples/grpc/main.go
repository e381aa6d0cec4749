// Command grpc protects a gRPC service with jwtgate: a unary and a stream
// interceptor verify the token in each call's "authorization" metadata
// ("Bearer <token>") with a jwtauth.Verifier configured from a grafana.ini
// [auth.jwt] section, and check a minimum role per method.
//
//	go run . -config grafana.ini -addr localhost:50051
//
// The service is the standard gRPC health service: Check (unary) needs a
// valid token, Watch (server stream) needs the Editor role. Refusals map
// to codes.Unauthenticated (missing or invalid token), PermissionDenied
// (role too low, or role_attribute_strict) and Unavailable (keys cannot be
// fetched). This example is a module of its own, so that the library does
// not depend on gRPC.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/signal"
	"syscall"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/jwtgate/jwtgate/jwtauth"
)

func main() {
	addr := flag.String("addr", "localhost:50051", "listen address")
	config := flag.String("config", "", "grafana.ini with an [auth.jwt] section (required)")
	flag.Parse()
	if *config == "" {
		fmt.Fprintln(os.Stderr, "grpc: -config is required")
		flag.Usage()
		os.Exit(2)
	}
	cfg, err := jwtauth.LoadINI(*config)
	if err != nil {
		log.Fatal(err)
	}
	v, err := jwtauth.New(cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close()

	lis, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("grpc: %v (pick another address with -addr)", err)
	}
	srv := newServer(v)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		srv.GracefulStop()
	}()
	log.Printf("gRPC health service on %s, protected by jwtgate", lis.Addr())
	if err := srv.Serve(lis); err != nil && !errors.Is(err, grpc.ErrServerStopped) {
		log.Fatal(err)
	}
}

// newServer returns a gRPC server whose every call goes through the
// interceptors, serving the health service.
func newServer(v *jwtauth.Verifier) *grpc.Server {
	a := &auth{v: v, minRole: map[string]jwtauth.Role{
		healthpb.Health_Watch_FullMethodName: jwtauth.RoleEditor,
	}}
	srv := grpc.NewServer(grpc.UnaryInterceptor(a.Unary), grpc.StreamInterceptor(a.Stream))
	healthpb.RegisterHealthServer(srv, health.NewServer())
	return srv
}
