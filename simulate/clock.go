package simulate

import "github.com/llm-simulator/llm-simulator/internal/clock"

// The simulator's time source is package clock's; these names keep the
// simulator's API self-contained.
type (
	// Clock is the source of time; see clock.Clock.
	Clock = clock.Clock
	// RealClock is wall-clock time.
	RealClock = clock.Real
	// ManualClock moves only when slept on or advanced; for tests.
	ManualClock = clock.Manual
)

// NewManualClock returns a ManualClock reading start.
var NewManualClock = clock.NewManual
