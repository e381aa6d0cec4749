package jwttest

import (
	"sync/atomic"
	"time"
)

// FakeClock is a clock that moves only when the test says so. It is safe
// for concurrent use (servers and verifiers read it from other goroutines).
type FakeClock struct{ ns atomic.Int64 }

// NewFakeClock returns a FakeClock reading at.
func NewFakeClock(at time.Time) *FakeClock {
	c := &FakeClock{}
	c.Set(at)
	return c
}

// Now returns the clock's time, in UTC. Pass the method value as a Now
// option: Config{Now: clk.Now}.
func (c *FakeClock) Now() time.Time { return time.Unix(0, c.ns.Load()).UTC() }

// Advance moves the clock by d.
func (c *FakeClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// Set moves the clock to at.
func (c *FakeClock) Set(at time.Time) { c.ns.Store(at.UnixNano()) }
