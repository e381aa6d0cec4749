package jwtauth

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestATK218ReplayMemoryBound (ATK-218): at its bound the memory refuses new
// proofs and keeps every unexpired one (a replay is still a replay); once
// entries expire, room is made again.
func TestATK218ReplayMemoryBound(t *testing.T) {
	const bound = 64 // 4 per shard
	m := newReplayMemory(bound)
	const now, forget = int64(1000), int64(1300)
	var fresh, full int
	var keys [][32]byte
	for i := range 10 * bound {
		k := replayKey("jkt", fmt.Sprint(i))
		switch m.remember(k, forget, now) {
		case replayFresh:
			fresh++
			keys = append(keys, k)
		case replayIsFull:
			full++
		default:
			t.Fatalf("key %d: distinct keys reported as a replay", i)
		}
	}
	require.Equal(t, bound, fresh, "exactly the bound is remembered")
	require.Equal(t, bound, m.len())
	require.Equal(t, 10*bound-bound, full)
	for _, k := range keys {
		require.Equal(t, replaySeen, m.remember(k, forget, forget), "still a replay at the last second of the window, memory full")
	}
	// One second after the window: everything expired, a sweep makes room.
	require.Equal(t, replayFresh, m.remember(replayKey("jkt", "new"), forget+300, forget+1))
	require.Equal(t, replayFresh, m.remember(keys[0], forget+300, forget+1), "an expired jti may be used again: its proof's iat is outside the window anyway")
	require.LessOrEqual(t, m.len(), bound)
}

// TestReplayKey: the key binds the proof key and the jti; neither alone
// collides with another pair.
func TestReplayKey(t *testing.T) {
	require.NotEqual(t, replayKey("a", "b.c"), replayKey("a.b", "c"))
	require.NotEqual(t, replayKey("k1", "j"), replayKey("k2", "j"))
	require.Equal(t, replayKey("k", "j"), replayKey("k", "j"))
}
