package admin

import (
	"errors"
	"net/http"

	"github.com/llm-simulator/llm-simulator/cassette"
	"github.com/llm-simulator/llm-simulator/config"
	"github.com/llm-simulator/llm-simulator/internal/telemetry"
	"github.com/llm-simulator/llm-simulator/proxy"
	"github.com/llm-simulator/llm-simulator/rules"
	"github.com/rs/zerolog"
)

// Server is the admin API. Every field but Health, Rules and Runtime may
// be nil, and the endpoints that need it answer 404 saying it is off.
type Server struct {
	// Token, when set, is required as "Authorization: Bearer TOKEN" on
	// every endpoint but /healthz.
	Token string
	// AllowedHosts are the names, besides IP addresses and localhost, a
	// request's Host may carry; nil allows none (see guard.go).
	AllowedHosts []string
	// AllowedOrigins are the web origins, besides the listener's own,
	// whose pages may call the API from a browser; nil allows none.
	AllowedOrigins []string
	Health         *Health
	Rules          *rules.Live
	Overlays       *rules.Overlays
	Journal        *telemetry.Journal
	Metrics        *telemetry.Metrics
	Cassettes      *cassette.Store
	Runtime        Runtime
	Log            zerolog.Logger
}

// Runtime is what the admin API asks of the running process: the parts
// that touch the config file, the proxy and every store at once.
type Runtime interface {
	// Reload re-reads the config file; a bad file keeps the one in force
	// and the error is a config.ErrorList.
	Reload() error
	// PutRules replaces the base rules with those in body (JSON or YAML);
	// the error is a config.ErrorList positioned in the body.
	PutRules(body []byte) error
	// Config is the config in force.
	Config() *config.Config
	// Reset forgets the state of one scope — gate counters, rate-limit
	// windows, scripted sequences, replay order, the journal and the
	// temporary faults limited to it — or, with all, every scope's and
	// the runtime toggles too.
	Reset(scope string, all bool)
	// Explain says what would happen to a request.
	Explain(r *ExplainRequest) (*proxy.Explanation, error)
	// Upgrade starts a new process on the same listeners and returns once
	// it serves (this one then drains), or why it does not: ErrUpgradeBusy
	// when one is under way or the last old process has not exited, a
	// config.ErrorList when the config is bad.
	Upgrade() error
}

// ErrUpgradeBusy marks an upgrade refused for now.
var ErrUpgradeBusy = errors.New("an upgrade cannot start now")

// Handler is the admin listener's handler.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	if s.Health != nil {
		s.Health.Register(mux)
	}
	RegisterPprof(mux)
	s.registerRules(mux)
	s.registerFaults(mux)
	s.registerJournal(mux)
	s.registerCache(mux)
	s.registerControl(mux)
	if s.Metrics != nil {
		mux.Handle("GET /metrics", s.Metrics.Handler())
	}
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such admin endpoint: %s %s", r.Method, r.URL.Path)
	})
	return newGuard(s, mux)
}
