package jwttest

import (
	"bytes"
	"net/http"
	"sync/atomic"
	"time"
)

// HugeJWKS is a key server that answers with the start of a JWKS followed
// by total bytes of white space, 32 KiB at a time, adding to written what
// the client accepted; it stops when the client hangs up.
func HugeJWKS(total int64, written *atomic.Int64) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		chunk := bytes.Repeat([]byte(" "), 32<<10)
		_, _ = w.Write([]byte(`{"keys":[`))
		for written.Load() < total {
			n, err := w.Write(chunk)
			written.Add(int64(n))
			if err != nil {
				return
			}
		}
	}
}

// StalledJWKS is a key server that never ends its answer: with trickle it
// sends a 200 and then one byte of white space per second, without it
// nothing at all, until the client hangs up.
func StalledJWKS(trickle bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !trickle {
			<-r.Context().Done()
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			if _, err := w.Write([]byte(" ")); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-tick.C:
			}
		}
	}
}
