package sidecar

import (
	"crypto/sha256"
	"fmt"
	"sync"
	"time"

	"github.com/llm-simulator/llm-simulator/cassette"
	"github.com/llm-simulator/llm-simulator/config"
	"github.com/llm-simulator/llm-simulator/faults"
	"github.com/llm-simulator/llm-simulator/internal/telemetry"
	"github.com/llm-simulator/llm-simulator/proxy"
	"github.com/llm-simulator/llm-simulator/rules"
	"github.com/llm-simulator/llm-simulator/simulate"
	"github.com/rs/zerolog"
)

// runtime is the admin API's runtime (admin.Runtime, control.go): it owns
// the config in force, the stores, and the front they serve. It builds
// the rules, upstreams and simulator from a config and swaps them in,
// whole, on start, at each reload and at an admin PUT of the rules.
type runtime struct {
	opts  Options
	log   zerolog.Logger
	front *proxy.Front
	live  *rules.Live
	store *faults.Store
	ups   *proxy.Upstreams // in force

	// The runtime state the admin API reads and resets.
	overlays *rules.Overlays
	journal  *telemetry.Journal
	metrics  *telemetry.Metrics

	mu     sync.Mutex // serializes reloads; guards loaded and digest
	loaded *config.Config
	digest [sha256.Size]byte // of the file content last tried, good or bad
}

// newRuntime is the runtime of front, which it gives its rule set and
// its forgetting of idle scopes.
func newRuntime(o Options, log zerolog.Logger, front *proxy.Front) *runtime {
	r := &runtime{opts: o, log: log.With().Str("component", "reload").Logger(), front: front,
		live: new(rules.Live), store: faults.NewStore()}
	front.Rules = r.live
	front.ForgetScopes = r.forgetScopes
	return r
}

// forgetScopes forgets the state of scopes gone idle in every store that
// keeps state per scope. Unlike an admin reset, the journal keeps their
// requests: it is bounded, and tests read it.
func (r *runtime) forgetScopes(idle func(scope string) bool) {
	r.store.ForgetScopes(idle)
	if c := r.front.Cassettes; c != nil {
		c.ForgetScopes(idle)
	}
}

// apply puts cfg in force: new upstreams, simulator and rule set, built
// whole and then swapped; state of faults that no longer exist is dropped
// after, and connections to upstreams no longer used are let go.
func (r *runtime) apply(cfg *config.Config, origin string) error {
	prev := r.ups
	ups, err := proxy.NewUpstreams(cfg, prev)
	if err != nil {
		return err
	}
	hosts, err := rules.NewHostSet(*cfg.Intercept.Hosts)
	if err != nil {
		return err
	}
	if in := r.front.Intercept; in != nil {
		// The CA in force must cover the new hosts: a reload never turns
		// a host on that clients would see an untrusted certificate for.
		if err := CheckCA(in.Leaves().CA(), cfg, r.opts.RotateCommand); err != nil {
			return err
		}
	}
	if err := r.loadCassettes(cfg); err != nil {
		return err
	}
	set, err := rules.Build(cfg, r.store, origin, time.Now())
	if err != nil {
		return err
	}
	r.front.SetUpstreams(ups)
	r.ups = ups
	prev.Retire(ups)
	if r.front.Intercept != nil {
		r.front.Intercept.SetHosts(hosts)
	}
	r.front.SetSimulator(simulate.New(proxy.SimulatorConfig(&cfg.Simulate)))
	r.front.SetScopeIdle(cfg.ScopeIdle.D())
	if r.journal != nil {
		r.journal.Resize(cfg.Journal.Size)
	}
	r.live.Store(set)
	ids := set.IDs()
	r.store.Retain(func(id string) bool { return ids[id] })
	for _, w := range cfg.Warnings {
		r.log.Warn().Msg(w.Error())
	}
	return nil
}

// loadCassettes opens the cassettes at start and rescans them at each
// reload, keeping the replay order and the counters.
func (r *runtime) loadCassettes(cfg *config.Config) error {
	o := proxy.CassetteOptions(&cfg.Cache)
	o.Log = r.log.With().Str("component", "cassette").Logger()
	if r.front.Cassettes == nil {
		store, err := cassette.Open(o)
		if err != nil {
			return fmt.Errorf("cache: %w", err)
		}
		r.front.Cassettes = store
	} else if err := r.front.Cassettes.Reload(o); err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	st := r.front.Cassettes.Stats()
	r.log.Info().Str("dir", cfg.Cache.Dir).Int("recordings", st.Recordings).Int("cassettes", st.Cassettes).Msg("cassettes loaded")
	return nil
}
