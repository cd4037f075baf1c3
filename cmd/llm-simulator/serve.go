package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/llm-simulator/llm-simulator/admin"
	"github.com/llm-simulator/llm-simulator/proxy"
	"github.com/rs/zerolog"
)

// readyFunc, when not nil, is told the bound addresses once both
// listeners accept connections; tests use it instead of waiting.
type readyFunc func(proxyAddr, adminAddr string)

// serve runs the proxy and admin servers until ctx ends, then drains.
func serve(ctx context.Context, o *options, io stdio, ready readyFunc) error {
	cfg, source, err := loadConfig(o)
	if err != nil {
		fmt.Fprintln(io.err, err)
		return fmt.Errorf("cannot start with %s", source)
	}
	log := newLogger(cfg.Log, io.err)
	tuneRuntime(cfg.Runtime)
	front := &proxy.Front{
		Seed:      uint64(cfg.Seed),
		MaxBody:   int64(cfg.MaxRequestBody),
		Log:       log.With().Str("component", "proxy").Logger(),
		AccessLog: cfg.Log.Access,
	}
	rl := newReloader(o, log, front)
	rl.apply(cfg, "file "+source)
	rl.loaded, rl.digest = cfg, fileDigest(o.config)

	health := &admin.Health{}
	mux := http.NewServeMux()
	health.Register(mux)
	admin.RegisterPprof(mux)

	proxyLn, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("proxy listener: %w", err)
	}
	adminLn, err := net.Listen("tcp", cfg.Admin.Listen)
	if err != nil {
		proxyLn.Close()
		return fmt.Errorf("admin listener: %w", err)
	}
	servers := []*http.Server{newServer(front, log), newServer(mux, log)}
	errc := make(chan error, 2)
	for i, ln := range []net.Listener{proxyLn, adminLn} {
		go func() { errc <- servers[i].Serve(ln) }()
	}
	stopReloads := rl.start(ctx, cfg.Reload.Interval.D(), o.config != "" && *cfg.Reload.Watch)
	defer stopReloads()
	health.SetReady(true)
	log.Info().Str("listen", proxyLn.Addr().String()).Str("admin", adminLn.Addr().String()).
		Str("config", source).Int("rules", len(cfg.Rules)).Str("version", version).Msg("ready")
	if ready != nil {
		ready(proxyLn.Addr().String(), adminLn.Addr().String())
	}

	select {
	case <-ctx.Done():
	case err := <-errc:
		return fmt.Errorf("server stopped: %w", err)
	}
	health.SetReady(false)
	return drain(servers, cfg.DrainTimeout.D(), log)
}

// start runs the reload triggers: SIGHUP always (for a config file), the
// file watch when asked. The returned func stops them.
func (r *reloader) start(ctx context.Context, interval time.Duration, watch bool) func() {
	ctx, cancel := context.WithCancel(ctx)
	if r.opts.config == "" {
		return cancel // the embedded default cannot change
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go func() {
		defer signal.Stop(hup)
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				_ = r.reload("SIGHUP")
			}
		}
	}()
	if watch {
		go r.watch(ctx, interval)
	}
	return cancel
}

func newServer(h http.Handler, log zerolog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          zerologStd(log),
	}
}

// drain lets in-flight requests and streams finish, up to timeout, then
// closes what is left.
func drain(servers []*http.Server, timeout time.Duration, log zerolog.Logger) error {
	log.Info().Dur("timeout", timeout).Msg("draining")
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	errc := make(chan error, len(servers))
	for _, s := range servers {
		go func() { errc <- s.Shutdown(ctx) }()
	}
	var late bool
	for range servers {
		if err := <-errc; errors.Is(err, context.DeadlineExceeded) {
			late = true
		}
	}
	if late {
		log.Warn().Msg("drain timeout reached; closing the connections still open")
		for _, s := range servers {
			_ = s.Close()
		}
	}
	log.Info().Msg("stopped")
	return nil
}
