package sidecar

import (
	"slices"
	"time"

	"github.com/llm-simulator/llm-simulator/admin"
	"github.com/llm-simulator/llm-simulator/config"
	"github.com/llm-simulator/llm-simulator/internal/telemetry"
	"github.com/llm-simulator/llm-simulator/rules"
	"github.com/rs/zerolog"
)

// observe gives the front its request journal and metrics, and the
// runtime the overlays, before anything serves.
func (r *runtime) observe(cfg *config.Config) {
	r.journal = telemetry.NewJournal(cfg.Journal.Size)
	r.metrics = telemetry.NewMetrics(r.opts.Version)
	f := r.front
	f.Journal, f.Metrics = r.journal, r.metrics
	f.JournalBodies, f.JournalMaxBody, f.LogSample = cfg.Journal.Bodies, int(cfg.Journal.MaxBody), cfg.Log.Sample
	r.overlays = rules.NewOverlays(r.store, time.Now, cfg.Admin.StateFile)
	if err := r.overlays.LoadMigrating(cfg.Admin.LegacyStateFile()); err != nil {
		r.log.Error().Err(err).Msg("the runtime state file cannot be read; starting without its toggles and faults")
	}
	r.live.SetOverlays(r.overlays)
}

// measure registers the gauges read from the stores at each scrape; the
// cassette store exists once the config is applied.
func (r *runtime) measure() {
	c := r.front.Cassettes
	r.metrics.CacheFunc(func() telemetry.CacheStats {
		st := c.Stats()
		return telemetry.CacheStats{Hits: st.Hits, Misses: st.Misses, Evictions: st.Evictions, DiskReads: st.DiskReads,
			Bytes: st.CachedBytes, Entries: st.CachedEntries, Recordings: st.Recordings}
	})
	r.metrics.QueueFunc(func() float64 { return float64(r.store.QueueDepth()) })
	r.metrics.RateLimitFunc(func() []telemetry.RateLimitLeft {
		levels := r.store.RateLimitRemaining()
		out := make([]telemetry.RateLimitLeft, len(levels))
		for i, l := range levels {
			out[i] = telemetry.RateLimitLeft{Rule: l.Owner, Provider: l.Provider, Kind: l.Kind, Remaining: float64(l.Remaining)}
		}
		return out
	})
}

// adminServer is the admin API over the process's stores.
func (r *runtime) adminServer(cfg *config.Config, health *admin.Health, log zerolog.Logger) *admin.Server {
	return &admin.Server{Token: cfg.Admin.Token, AllowedHosts: cfg.Admin.AllowedHosts, AllowedOrigins: cfg.Admin.AllowedOrigins,
		Health: health, Rules: r.live, Overlays: r.overlays,
		Journal: r.journal, Metrics: r.metrics, Cassettes: r.front.Cassettes, Runtime: r,
		Log: log.With().Str("component", "admin").Logger()}
}

// sameAdminGuard: a and b admit the same admin callers. The admin
// server's guard is built once, at start.
func sameAdminGuard(a, b *config.Config) bool {
	return a.Admin.Token == b.Admin.Token && slices.Equal(a.Admin.AllowedHosts, b.Admin.AllowedHosts) &&
		slices.Equal(a.Admin.AllowedOrigins, b.Admin.AllowedOrigins)
}
