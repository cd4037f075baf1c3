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
	"github.com/llm-simulator/llm-simulator/proxy/mitm"
	"github.com/llm-simulator/llm-simulator/rules"
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
	if err := admin.CheckExposure(cfg.Admin.Listen, cfg.Admin.Token); err != nil {
		return err
	}
	tuneRuntime(cfg.Runtime)
	front := &proxy.Front{
		Seed:      uint64(cfg.Seed),
		MaxBody:   int64(cfg.MaxRequestBody),
		Log:       log.With().Str("component", "proxy").Logger(),
		AccessLog: cfg.Log.Access,
	}
	proxySrv := newServer(front, log)
	if len(*cfg.Intercept.Hosts) > 0 {
		if front.Intercept, err = newInterceptor(cfg, front, proxySrv); err != nil {
			return fmt.Errorf("interception: %w", err)
		}
	}
	rl := newReloader(o, log, front)
	rl.observe(cfg)
	if err := rl.apply(cfg, "file "+source); err != nil {
		return fmt.Errorf("cannot start with %s: %w", source, err)
	}
	rl.loaded, rl.digest = cfg, fileDigest(o.config)
	rl.measure()

	health := &admin.Health{}
	adminHandler := rl.adminServer(cfg, health, log).Handler()

	proxyLn, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("proxy listener: %w", err)
	}
	adminLn, err := net.Listen("tcp", cfg.Admin.Listen)
	if err != nil {
		proxyLn.Close()
		return fmt.Errorf("admin listener: %w", err)
	}
	servers := []*http.Server{proxySrv, newServer(adminHandler, log)}
	errc := make(chan error, 2)
	for i, ln := range []net.Listener{proxyLn, adminLn} {
		srv := servers[i]
		go func() { errc <- srv.Serve(ln) }()
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
	if front.Intercept != nil {
		servers = append(servers, front.Intercept.Server())
	}
	return drain(servers, front, cfg.DrainTimeout.D(), log)
}

// newInterceptor sets up HTTPS interception with the config's CA; its
// server takes its timeouts from the proxy's.
func newInterceptor(cfg *rules.Config, front *proxy.Front, srv *http.Server) (*proxy.Interceptor, error) {
	ca, err := loadCA(cfg)
	if err != nil {
		return nil, err
	}
	leaves, err := mitm.NewLeaves(ca, cfg.Intercept.LeafCache)
	if err != nil {
		return nil, err
	}
	hosts, err := rules.NewHostSet(*cfg.Intercept.Hosts)
	if err != nil {
		return nil, err
	}
	return proxy.NewInterceptor(leaves, hosts, front, srv)
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
func drain(servers []*http.Server, front *proxy.Front, timeout time.Duration, log zerolog.Logger) error {
	log.Info().Dur("timeout", timeout).Msg("draining")
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	tunnels := make(chan struct{})
	go func() { front.DrainTunnels(ctx); close(tunnels) }()
	defer func() { <-tunnels }()
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
