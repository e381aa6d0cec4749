package jwttest

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"time"
)

// FaultServer is a key server whose answer a test switches while it runs,
// for fault injection. It counts the requests it receives. It is an
// http.Handler, to put behind an httptest server, and an http.RoundTripper
// that answers in memory without a socket, for testing/synctest bubbles
// (see Client). It is safe for concurrent use.
type FaultServer struct {
	mu       sync.Mutex
	h        http.Handler
	err      error         // RoundTrip fails with it instead of answering
	gate     chan struct{} // requests wait for it to close
	requests []*http.Request
}

// NewFaultServer returns a FaultServer answering with h.
func NewFaultServer(h http.Handler) *FaultServer { return &FaultServer{h: h} }

// Serve switches the answer to h (and ends a Fail).
func (s *FaultServer) Serve(h http.Handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.h, s.err = h, nil
}

// Fail makes RoundTrip fail with err, as a transport error, until Serve.
func (s *FaultServer) Fail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.err = err
}

// Hold makes requests wait (counted, unanswered) until release is called
// or their context ends.
func (s *FaultServer) Hold() (release func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := make(chan struct{})
	s.gate = ch
	return sync.OnceFunc(func() {
		s.mu.Lock()
		s.gate = nil
		s.mu.Unlock()
		close(ch)
	})
}

// Hits returns how many requests arrived so far.
func (s *FaultServer) Hits() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

// Last returns the last request received, or nil.
func (s *FaultServer) Last() *http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.requests) == 0 {
		return nil
	}
	return s.requests[len(s.requests)-1]
}

// Client returns a client whose requests, to any URL, this server answers
// in memory.
func (s *FaultServer) Client() *http.Client { return &http.Client{Transport: s} }

// arrive counts r and returns what to answer it with, once any Hold ends.
func (s *FaultServer) arrive(r *http.Request) (http.Handler, error) {
	s.mu.Lock()
	s.requests = append(s.requests, r)
	gate := s.gate
	s.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-r.Context().Done():
			return nil, r.Context().Err()
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.h, s.err
}

// ServeHTTP answers r with the current handler (a Fail answers 502).
func (s *FaultServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h, err := s.arrive(r)
	if err != nil {
		http.Error(w, http.StatusText(http.StatusBadGateway), http.StatusBadGateway)
		return
	}
	h.ServeHTTP(w, r)
}

// RoundTrip answers req in memory with the current handler.
func (s *FaultServer) RoundTrip(req *http.Request) (*http.Response, error) {
	h, err := s.arrive(req)
	if err != nil {
		return nil, err
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if err := req.Context().Err(); err != nil {
		return nil, err // the handler gave up with the client
	}
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}

// ServeBody answers 200 with body as ctype; with length, Content-Length
// is sent, otherwise (over a socket) the body goes out chunked.
func ServeBody(ctype string, body []byte, length bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", ctype)
		if length {
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		}
		_, _ = w.Write(body)
	})
}

// ServeJWKS answers 200 with the JWKS of ks, and Cache-Control when
// cacheControl is not empty.
func ServeJWKS(cacheControl string, ks ...*Key) http.Handler {
	body := JWKS(ks...)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if cacheControl != "" {
			w.Header().Set("Cache-Control", cacheControl)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})
}

// ServeStatus answers code with its status text.
func ServeStatus(code int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, http.StatusText(code), code)
	})
}

// ServeHang never answers: it returns when the client gives up.
func ServeHang() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
}

// ServeDrip sends a 200 and then one byte per interval, flushed, until
// the client goes away (or, as a backstop, limit bytes). Use it over a
// socket: in memory nothing reaches the client before the handler ends.
func ServeDrip(interval time.Duration, limit int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		rc := http.NewResponseController(w)
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for i := range limit {
			b := []byte{' '}
			if i == 0 {
				b[0] = '{'
			}
			if _, err := w.Write(b); err != nil || rc.Flush() != nil {
				return
			}
			select {
			case <-r.Context().Done():
				return
			case <-tick.C:
			}
		}
	})
}
