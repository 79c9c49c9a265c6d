package runtime

import (
	"testing"
	"time"
)

func TestCooldownSpacesRebuildsUnderAWriteStormOnly(t *testing.T) {
	now := time.Unix(1000, 0)
	for _, tc := range []struct {
		name      string
		lastBuild time.Duration
		sinceEnd  time.Duration
		want      time.Duration
	}{
		{"an isolated write after a quiet period goes live at once", 200 * time.Millisecond, 5 * time.Second, 0},
		{"right after a slow rebuild the next waits as long as it took", 200 * time.Millisecond, 0, 200 * time.Millisecond},
		{"time already spent quiet counts", 200 * time.Millisecond, 150 * time.Millisecond, 50 * time.Millisecond},
		{"fast rebuilds barely wait", 100 * time.Microsecond, 0, 100 * time.Microsecond},
		{"the wait is capped", time.Minute, 0, 2 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := cooldown(tc.lastBuild, now.Add(-tc.sinceEnd), 1, now); got != tc.want {
				t.Fatalf("cooldown = %v, want %v", got, tc.want)
			}
		})
	}
	if got := cooldown(time.Second, now, 0, now); got != 0 {
		t.Fatalf("gap 0 disables the cooldown, got %v", got)
	}
}
