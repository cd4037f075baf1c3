package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
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

// reloader builds the rules and simulator from the config and swaps them
// in, whole, on start, on SIGHUP and when the watched file changes.
type reloader struct {
	opts  *options
	log   zerolog.Logger
	front *proxy.Front
	live  *rules.Live
	store *faults.Store
	ups   *proxy.Upstreams // in force

	// The runtime state the admin API reads and resets.
	lc       lifecycle
	overlays *rules.Overlays
	journal  *telemetry.Journal
	metrics  *telemetry.Metrics

	mu     sync.Mutex // serializes reloads; guards loaded and digest
	loaded *config.Config
	digest [sha256.Size]byte // of the file content last tried, good or bad
}

func newReloader(o *options, log zerolog.Logger, front *proxy.Front) *reloader {
	r := &reloader{opts: o, log: log.With().Str("component", "reload").Logger(), front: front,
		live: new(rules.Live), store: faults.NewStore()}
	front.Rules = r.live
	front.ForgetScopes = r.forgetScopes
	return r
}

// forgetScopes forgets the state of scopes gone idle in every store that
// keeps state per scope. Unlike an admin reset, the journal keeps their
// requests: it is bounded, and tests read it.
func (r *reloader) forgetScopes(idle func(scope string) bool) {
	r.store.ForgetScopes(idle)
	if c := r.front.Cassettes; c != nil {
		c.ForgetScopes(idle)
	}
}

// apply puts cfg in force: new upstreams, simulator and rule set, built
// whole and then swapped; state of faults that no longer exist is dropped
// after, and connections to upstreams no longer used are let go.
func (r *reloader) apply(cfg *config.Config, origin string) error {
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
		if err := checkCA(in.Leaves().CA(), cfg, r.opts); err != nil {
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
func (r *reloader) loadCassettes(cfg *config.Config) error {
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

// reload re-reads the file; a bad file leaves the set in force serving.
func (r *reloader) reload(reason string) (err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	defer func() { r.countReload(err) }()
	r.digest = fileDigest(r.opts.config)
	cfg, source, err := loadConfig(r.opts)
	if err != nil {
		logConfigErrors(r.log.With().Str("reason", reason).Logger(), configErrors(err, r.opts.config))
		r.log.Warn().Msg("the config in force keeps serving")
		return err
	}
	if r.loaded != nil && (cfg.Listen != r.loaded.Listen || cfg.Admin.Listen != r.loaded.Admin.Listen) {
		r.log.Warn().Msg("listen addresses changed: they take effect at the next start or upgrade")
	}
	if r.loaded != nil && !sameAdminGuard(cfg, r.loaded) {
		r.log.Warn().Msg("the admin token, allowed_hosts or allowed_origins changed: they take effect at the next start or upgrade")
	}
	if err := r.apply(cfg, "file "+source); err != nil {
		r.log.Error().Err(err).Str("reason", reason).Msg("reload failed")
		r.log.Warn().Msg("the config in force keeps serving")
		return err
	}
	if r.loaded != nil && !sameCA(cfg, r.loaded) {
		r.log.Warn().Msg("the intercept CA changed: it takes effect at the next start or upgrade")
	}
	r.loaded = cfg
	r.log.Info().Str("reason", reason).Int("rules", len(cfg.Rules)).Msg("config reloaded")
	return nil
}

// configErrors is the config's refusal as a list: the file's problems,
// each with its file:line:col, or the one reason it could not be read.
func configErrors(err error, file string) config.ErrorList {
	var list config.ErrorList
	if errors.As(err, &list) {
		return list
	}
	msg := err.Error()
	if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
		msg = pe.Err.Error() // the path is the File
	}
	return config.ErrorList{{File: file, Msg: msg}}
}

// logConfigErrors logs each of the config's problems on its own line,
// led by its file:line:col.
func logConfigErrors(log zerolog.Logger, list config.ErrorList) {
	for _, e := range list {
		log.Error().Msg(e.Error())
	}
}

func (r *reloader) countReload(err error) {
	if r.metrics == nil {
		return
	}
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	r.metrics.Reload(outcome)
}

// watch polls the config file and reloads when its content changes, once
// per change: a bad file is reported once, not every interval. Polling,
// rather than file events, also sees editors that replace the file and
// volumes (ConfigMaps) that swap a symlink.
func (r *reloader) watch(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		d := fileDigest(r.opts.config)
		r.mu.Lock()
		changed := !bytes.Equal(d[:], r.digest[:])
		r.mu.Unlock()
		if changed {
			_ = r.reload("file changed")
		}
	}
}

func fileDigest(path string) [sha256.Size]byte {
	data, err := os.ReadFile(path)
	if err != nil {
		return [sha256.Size]byte{}
	}
	return sha256.Sum256(data)
}
