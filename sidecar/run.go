package sidecar

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"syscall"

	"github.com/llm-simulator/llm-simulator/admin"
	"github.com/llm-simulator/llm-simulator/config"
	"github.com/llm-simulator/llm-simulator/proxy"
	"github.com/llm-simulator/llm-simulator/proxy/mitm"
	"github.com/llm-simulator/llm-simulator/rules"
	"github.com/rs/zerolog"
)

// Run serves cfg — the proxy and the admin API, each on its listener —
// until ctx ends or a successor takes over, then drains and returns nil.
// It refuses to start, with the reason, when the config cannot be put in
// force or a listener cannot be had. While it serves, SIGHUP reloads the
// config (when it is a file) and SIGUSR2 upgrades the process: Run is
// meant to be the one server of its process.
func Run(ctx context.Context, cfg *config.Config, o Options) error {
	o, err := o.withDefaults()
	if err != nil {
		return err
	}
	log := newLogger(cfg.Log, o.Log)
	if err := admin.CheckExposure(cfg.Admin.Listen, cfg.Admin.Token); err != nil {
		return err
	}
	tuneRuntime(cfg.Runtime)
	front, proxySrv, err := newFront(cfg, o, log)
	if err != nil {
		return err
	}
	rt := newRuntime(o, log, front)
	rt.observe(cfg)
	if err := rt.apply(cfg, "file "+o.Source); err != nil {
		return fmt.Errorf("cannot start with %s: %w", o.Source, err)
	}
	rt.loaded, rt.digest = cfg, fileDigest(o.File)
	rt.measure()
	health := &admin.Health{}
	adminSrv := newServer(rt.adminServer(cfg, health, log).Handler(), cfg, log)
	proxyLn, adminLn, err := listen(o.Lifecycle, cfg)
	if err != nil {
		return err
	}
	// The egress policy refuses to dial these: through them the proxy
	// port would reach the admin API, or loop into itself.
	rt.ups.Listeners().Set(proxyLn.Addr(), adminLn.Addr())
	errc := make(chan error, 2)
	go func() { errc <- proxySrv.Serve(proxySrv.conns.Listener(proxyLn)) }()
	go func() { errc <- adminSrv.Serve(adminSrv.conns.Listener(adminLn)) }()
	stopReloads := rt.start(ctx, cfg.Reload.Interval.D(), o.File != "" && *cfg.Reload.Watch)
	defer stopReloads()
	health.SetReady(true)
	if err := o.Lifecycle.Ready(); err != nil {
		log.Error().Err(err).Msg("cannot say ready to the process before this one or write the pid file")
	}
	log.Info().Str("listen", proxyLn.Addr().String()).Str("admin", adminLn.Addr().String()).
		Str("config", o.Source).Int("rules", len(cfg.Rules)).Str("version", o.Version).Int("pid", os.Getpid()).Msg("ready")
	if o.Ready != nil {
		o.Ready(proxyLn.Addr().String(), adminLn.Addr().String())
	}
	// Each SIGUSR2 starts an upgrade, until Run returns; upgrade logs the
	// outcome, the only answer a signal can have.
	stopUSR2 := make(chan struct{})
	defer close(stopUSR2)
	onSignal(stopUSR2, syscall.SIGUSR2, func() { _ = rt.upgrade("SIGUSR2") })
	if err := waitForEnd(ctx, o.Lifecycle, errc, log); err != nil {
		return err
	}
	health.SetReady(false)
	// No new connection reaches this process from here on: a successor,
	// if any, accepts them. Once both Serves have returned, every
	// connection they accepted is tracked.
	_ = proxyLn.Close()
	_ = adminLn.Close()
	<-errc
	<-errc
	return drain(proxySrv, adminSrv, front, cfg.DrainTimeout.D(), log)
}

// newFront is the proxy's front and its server, set up from the config,
// with HTTPS interception when the config names hosts to intercept; the
// rule set and what it needs are the runtime's to apply.
func newFront(cfg *config.Config, o Options, log zerolog.Logger) (*proxy.Front, server, error) {
	front := &proxy.Front{
		Seed:              uint64(cfg.Seed),
		MaxBody:           int64(cfg.MaxRequestBody),
		ReadBodyTimeout:   cfg.Server.ReadBodyTimeout.D(),
		TunnelIdleTimeout: cfg.Server.TunnelIdleTimeout.D(),
		Log:               log.With().Str("component", "proxy").Logger(),
	}
	front.AccessLog, front.AccessConsole = accessLog(cfg.Log, o.Log, isTerminal)
	srv := newServer(front, cfg, log)
	srv.BaseContext = front.BaseContext // EndStreams reaches every request
	if len(*cfg.Intercept.Hosts) > 0 {
		var err error
		if front.Intercept, err = newInterceptor(cfg, o.RotateCommand, front, srv.Server); err != nil {
			return nil, server{}, fmt.Errorf("interception: %w", err)
		}
		front.Intercept.Conns().IdleGrace = drainIdleGrace(cfg)
	}
	return front, srv, nil
}

// newInterceptor sets up HTTPS interception with the config's CA; its
// server takes its timeouts from the proxy's.
func newInterceptor(cfg *config.Config, rotate string, front *proxy.Front, srv *http.Server) (*proxy.Interceptor, error) {
	ca, err := LoadCA(cfg, rotate)
	if err != nil {
		return nil, err
	}
	for _, w := range ca.Warnings() {
		front.Log.Warn().Msg(w)
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

// listen takes the proxy's and the admin API's listeners from lc.
func listen(lc Lifecycle, cfg *config.Config) (proxyLn, adminLn net.Listener, err error) {
	proxyLn, err = lc.Listen("proxy", "tcp", cfg.Listen)
	if err != nil {
		return nil, nil, fmt.Errorf("proxy listener: %w", err)
	}
	adminLn, err = lc.Listen("admin", "tcp", cfg.Admin.Listen)
	if err != nil {
		proxyLn.Close()
		return nil, nil, fmt.Errorf("admin listener: %w", err)
	}
	return proxyLn, adminLn, nil
}

// waitForEnd waits until it is time to drain: ctx ended, or a successor
// took over. A server that stopped by itself is an error, and no drain.
func waitForEnd(ctx context.Context, lc Lifecycle, errc <-chan error, log zerolog.Logger) error {
	select {
	case <-ctx.Done():
		lc.Stop()
	case <-lc.Exit():
		log.Info().Msg("a new process serves; draining")
	case err := <-errc:
		lc.Stop()
		return fmt.Errorf("server stopped: %w", err)
	}
	return nil
}
