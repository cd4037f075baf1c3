// Package clock is the source of time for everything that waits on a
// request's behalf — the simulator's timing model, the faults' delays, the
// rate limiters' windows — so tests can swap wall-clock time for a Manual
// clock and check every wait without spending it.
package clock
