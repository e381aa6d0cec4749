package jwttest

import (
	"fmt"
	"slices"
	"testing"
)

// ExampleTB stands in for a test's *testing.T in runnable examples, so that
// an example's body reads as a test's would (jwtauthtest.NewIssuer(t)). It
// implements the methods jwtauthtest calls: Helper, Cleanup (collected, for
// RunCleanups), and Fatal and Fatalf, which panic. Any other method panics
// on the nil embedded TB.
type ExampleTB struct {
	testing.TB
	cleanups []func()
}

func (e *ExampleTB) Helper()                           {}
func (e *ExampleTB) Cleanup(f func())                  { e.cleanups = append(e.cleanups, f) }
func (e *ExampleTB) Fatal(args ...any)                 { panic(fmt.Sprint(args...)) }
func (e *ExampleTB) Fatalf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }

// RunCleanups runs the collected cleanups, the last registered first, as
// the testing package does; call it from TestMain after m.Run.
func (e *ExampleTB) RunCleanups() {
	for _, f := range slices.Backward(e.cleanups) {
		f()
	}
	e.cleanups = nil
}
