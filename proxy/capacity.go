package proxy

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/llm-simulator/llm-simulator/faults"
	"github.com/llm-simulator/llm-simulator/simulate"
	"github.com/llm-simulator/llm-simulator/wire"
)

// capacities holds the limiters of models with a max_concurrency, keyed by
// the model (stable for a simulator's life). A reload builds a new
// simulator, and its models start with fresh limiters.
type capacities struct {
	mu      sync.Mutex // guards sim and byModel
	sim     *simulate.Simulator
	byModel map[*simulate.Model]*faults.Limiter
}

func (c *capacities) limiter(sim *simulate.Simulator, m *simulate.Model) *faults.Limiter {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sim != sim {
		c.sim, c.byModel = sim, map[*simulate.Model]*faults.Limiter{}
	}
	l, ok := c.byModel[m]
	if !ok {
		timeout := m.QueueTimeout
		if timeout == 0 {
			timeout = 30 * time.Second
		}
		l = faults.NewLimiter(m.MaxConcurrency, m.Queue, timeout)
		c.byModel[m] = l
	}
	return l
}

// admitCapacity waits for a turn of a limited model; answered means the
// client got the provider's overload instead. release must be called
// after the answer when answered is false.
func (f *Front) admitCapacity(ctx context.Context, x *exchange, sim *simulate.Simulator, out wire.Sink) (release func(), answered bool, err error) {
	m := x.req.Model
	if m == nil {
		m = sim.Resolve(x.mreq.Model())
	}
	if m.MaxConcurrency <= 0 {
		return func() {}, false, nil
	}
	release, err = f.caps.limiter(sim, m).Acquire(ctx)
	switch {
	case err == nil:
		return release, false, nil
	case errors.Is(err, faults.ErrQueueFull), errors.Is(err, faults.ErrQueueTimeout):
		return nil, true, wire.WriteError(out, x.fx.Dialect, faults.Overloaded(x.fx.Dialect, 0), x.req.RequestID)
	}
	return nil, true, err
}
