package faults

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// The reasons Acquire refuses a slot without the caller's context ending.
var (
	ErrQueueFull    = errors.New("limiter: queue full")
	ErrQueueTimeout = errors.New("limiter: timed out in queue")
)

// Limiter bounds how many holders run at once; the callers past the bound
// wait in a bounded queue, served first come, first served. It knows
// nothing of requests or faults: the backpressure fault and the
// simulator's per-model max_concurrency both use it.
type Limiter struct {
	max     int
	size    int
	timeout time.Duration

	mu     sync.Mutex // guards active and the queue (head, tail, queued)
	active int        // slots held
	head   *waiter    // oldest waiter: the next to be granted a slot
	tail   *waiter
	queued int
}

// waiter is one caller in the queue; the list is intrusive so that
// leaving it mid-queue (timeout, cancel) is O(1) and allocates nothing.
type waiter struct {
	ready      chan struct{} // closed when the slot is handed over
	granted    bool          // under Limiter.mu: the slot is this waiter's
	prev, next *waiter
}

// NewLimiter returns a Limiter letting maxConcurrent holders run at once
// (values below 1 mean 1) with up to queueSize callers waiting (0: none)
// for at most queueTimeout each (0: until their context ends). The
// timeout is wall-clock time, not a clock.Clock's: a queue wait is real
// waiting by real callers, and tests use short real timeouts.
func NewLimiter(maxConcurrent, queueSize int, queueTimeout time.Duration) *Limiter {
	return &Limiter{max: max(1, maxConcurrent), size: max(0, queueSize), timeout: queueTimeout}
}

// Acquire takes a slot, waiting in the queue when none is free. It returns
// ErrQueueFull at once when the queue is full, ErrQueueTimeout after
// waiting the queue timeout, or ctx's error. release gives the slot back
// (to the oldest waiter, if any); calling it more than once is harmless.
func (l *Limiter) Acquire(ctx context.Context) (release func(), err error) {
	l.mu.Lock()
	if l.active < l.max && l.head == nil {
		l.active++
		l.mu.Unlock()
		return l.releaser(), nil
	}
	if l.queued >= l.size {
		l.mu.Unlock()
		return nil, ErrQueueFull
	}
	w := &waiter{ready: make(chan struct{})}
	l.push(w)
	l.mu.Unlock()
	return l.wait(ctx, w)
}

func (l *Limiter) wait(ctx context.Context, w *waiter) (func(), error) {
	var expired <-chan time.Time
	if l.timeout > 0 {
		t := time.NewTimer(l.timeout)
		defer t.Stop()
		expired = t.C
	}
	var err error
	select {
	case <-w.ready:
		return l.releaser(), nil
	case <-ctx.Done():
		err = ctx.Err()
	case <-expired:
		err = ErrQueueTimeout
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if w.granted {
		// The slot came as the wait ended: pass it on rather than hand a
		// slot to a caller that has already given up.
		l.handOff()
		return nil, err
	}
	l.remove(w)
	return nil, err
}

// releaser returns the idempotent release of one held slot.
func (l *Limiter) releaser() func() {
	var done atomic.Bool
	return func() {
		if done.CompareAndSwap(false, true) {
			l.mu.Lock()
			l.handOff()
			l.mu.Unlock()
		}
	}
}

// handOff gives a freed slot to the oldest waiter, or frees it. l.mu held.
func (l *Limiter) handOff() {
	w := l.head
	if w == nil {
		l.active--
		return
	}
	l.remove(w)
	w.granted = true
	close(w.ready)
}

func (l *Limiter) push(w *waiter) {
	w.prev = l.tail
	if l.tail != nil {
		l.tail.next = w
	} else {
		l.head = w
	}
	l.tail = w
	l.queued++
}

func (l *Limiter) remove(w *waiter) {
	if w.prev != nil {
		w.prev.next = w.next
	} else {
		l.head = w.next
	}
	if w.next != nil {
		w.next.prev = w.prev
	} else {
		l.tail = w.prev
	}
	w.prev, w.next = nil, nil
	l.queued--
}

// Load reports the slots held and the callers waiting, for metrics.
func (l *Limiter) Load() (active, waiting int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.active, l.queued
}
