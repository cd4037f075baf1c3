package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/llm-simulator/llm-simulator/admin"
	"github.com/llm-simulator/llm-simulator/config"
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
		Seed:              uint64(cfg.Seed),
		MaxBody:           int64(cfg.MaxRequestBody),
		ReadBodyTimeout:   cfg.Server.ReadBodyTimeout.D(),
		TunnelIdleTimeout: cfg.Server.TunnelIdleTimeout.D(),
		Log:               log.With().Str("component", "proxy").Logger(),
	}
	front.AccessLog, front.AccessConsole = accessLog(cfg.Log, io.err, isTerminal)
	proxySrv := newServer(front, cfg, log)
	proxySrv.BaseContext = front.BaseContext // EndStreams reaches every request
	if len(*cfg.Intercept.Hosts) > 0 {
		if front.Intercept, err = newInterceptor(cfg, o, front, proxySrv.Server); err != nil {
			return fmt.Errorf("interception: %w", err)
		}
		front.Intercept.Conns().IdleGrace = drainIdleGrace(cfg)
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

	lc := o.lifecycle
	if lc == nil {
		lc = &plain{pidFile: o.pidFile}
	}
	rl.lc = lc
	proxyLn, err := lc.Listen("proxy", "tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("proxy listener: %w", err)
	}
	adminLn, err := lc.Listen("admin", "tcp", cfg.Admin.Listen)
	if err != nil {
		proxyLn.Close()
		return fmt.Errorf("admin listener: %w", err)
	}
	// The egress policy refuses to dial these: through them the proxy
	// port would reach the admin API, or loop into itself.
	rl.ups.Listeners().Set(proxyLn.Addr(), adminLn.Addr())
	adminSrv := newServer(adminHandler, cfg, log)
	errc := make(chan error, 2)
	go func() { errc <- proxySrv.Serve(proxySrv.conns.Listener(proxyLn)) }()
	go func() { errc <- adminSrv.Serve(adminSrv.conns.Listener(adminLn)) }()
	stopReloads := rl.start(ctx, cfg.Reload.Interval.D(), o.config != "" && *cfg.Reload.Watch)
	defer stopReloads()
	health.SetReady(true)
	if err := lc.Ready(); err != nil {
		log.Error().Err(err).Msg("cannot say ready to the process before this one or write the pid file")
	}
	log.Info().Str("listen", proxyLn.Addr().String()).Str("admin", adminLn.Addr().String()).
		Str("config", source).Int("rules", len(cfg.Rules)).Str("version", version).Int("pid", os.Getpid()).Msg("ready")
	if ready != nil {
		ready(proxyLn.Addr().String(), adminLn.Addr().String())
	}
	stopUSR2 := make(chan struct{})
	defer close(stopUSR2)
	rl.onUSR2(stopUSR2)

	select {
	case <-ctx.Done():
		lc.Stop()
	case <-lc.Exit():
		log.Info().Msg("a new process serves; draining")
	case err := <-errc:
		lc.Stop()
		return fmt.Errorf("server stopped: %w", err)
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

// newInterceptor sets up HTTPS interception with the config's CA; its
// server takes its timeouts from the proxy's.
func newInterceptor(cfg *config.Config, o *options, front *proxy.Front, srv *http.Server) (*proxy.Interceptor, error) {
	ca, err := loadCA(cfg, o)
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

// server is an http.Server with the tracking of its connections that a
// drain waits on.
type server struct {
	*http.Server
	conns *proxy.Conns
}

// newServer applies the config's server section. It sets no ReadTimeout:
// that deadline would stay on the connection while a stream is written
// and cancel it; the body's own deadline is the Front's ReadBodyTimeout.
func newServer(h http.Handler, cfg *config.Config, log zerolog.Logger) server {
	sc := cfg.Server
	conns := &proxy.Conns{IdleGrace: drainIdleGrace(cfg)}
	return server{&http.Server{
		Handler:           conns.Handler(h), // Connection: close once draining
		ReadHeaderTimeout: sc.ReadHeaderTimeout.D(),
		IdleTimeout:       sc.IdleTimeout.D(),
		MaxHeaderBytes:    int(sc.MaxHeaderBytes),
		ErrorLog:          zerologStd(log),
		ConnState:         conns.ConnState,
	}, conns}
}

// drainIdleGrace is server.drain_idle_grace, capped by drain_timeout.
func drainIdleGrace(cfg *config.Config) time.Duration {
	return min(cfg.Server.DrainIdleGrace.D(), cfg.DrainTimeout.D())
}

// endGrace is how long the responses ended at the drain deadline get to
// write their last event before their connections are closed.
const endGrace = 2 * time.Second

// drain lets in-flight requests and streams finish, up to timeout. From
// its start every response closes its connection (HTTP/1.1) or sends a
// GOAWAY (h2), and a connection that brings no request within the idle
// grace is closed (see proxy.Conns): a request a client had already
// written when the drain began is answered, not cut. A server is shut
// down only once none of its HTTP/1 connections is left:
// http.Server.Shutdown drops, unanswered, a request it reads after it
// began. The interception server goes last, as the proxy server's
// CONNECTs hand it connections until that one is done. At the timeout
// what still runs is ended in the provider's words — a stream with its
// in-stream error event, an answer not yet begun with a 503 — given
// endGrace to say so, and only then are connections closed. Tunnels,
// which http.Server does not track, drain alongside.
func drain(proxySrv, adminSrv server, front *proxy.Front, timeout time.Duration, log zerolog.Logger) error {
	start := time.Now()
	logDrain(log.Info(), proxySrv, adminSrv, front).Dur("timeout_ms", timeout).Msg("draining")
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	stopEnding := context.AfterFunc(ctx, func() {
		log.Warn().Msg("drain timeout reached; ending the responses still running")
		front.EndStreams()
	})
	defer stopEnding()
	graceCtx, cancelGrace := context.WithTimeout(context.Background(), timeout+endGrace)
	defer cancelGrace()
	tunnels := make(chan struct{})
	go func() { front.DrainTunnels(ctx); close(tunnels) }()
	defer func() { <-tunnels }()
	in := front.Intercept
	if in != nil {
		in.BeginDrain()
	}
	errc := make(chan error, 2)
	go func() {
		err := quiesce(graceCtx, proxySrv)
		if in != nil {
			err = errors.Join(err, in.Drain(graceCtx))
		}
		errc <- err
	}()
	go func() { errc <- quiesce(graceCtx, adminSrv) }()
	var late bool
	for range 2 {
		if err := <-errc; errors.Is(err, context.DeadlineExceeded) {
			late = true
		}
	}
	if late {
		closeLeft(proxySrv, adminSrv, front, log)
	}
	log.Info().Dur("took_ms", time.Since(start)).Msg("stopped")
	return nil
}

// logDrain adds to ev how many connections each server still has, the
// taken-over ones — intercepted and tunnelled — included.
func logDrain(ev *zerolog.Event, proxySrv, adminSrv server, front *proxy.Front) *zerolog.Event {
	left := func(c *proxy.Conns) int {
		open, coming := c.Left()
		return open + coming
	}
	ev = ev.Int("proxy_conns", left(proxySrv.conns)).Int("admin_conns", left(adminSrv.conns)).Int("tunnels", front.OpenTunnels())
	if in := front.Intercept; in != nil {
		ev = ev.Int("intercepted_conns", left(in.Conns()))
	}
	return ev
}

// closeLeft closes the connections a drain that ran out of time still
// waited for, saying how many each server had.
func closeLeft(proxySrv, adminSrv server, front *proxy.Front, log zerolog.Logger) {
	in := front.Intercept
	logDrain(log.Warn(), proxySrv, adminSrv, front).Msg("closing the connections still open")
	_ = proxySrv.Close()
	_ = adminSrv.Close()
	if in != nil {
		_ = in.Server().Close()
	}
}

// quiesce shuts s down once no connection is left to bring it a request.
func quiesce(ctx context.Context, s server) error {
	s.conns.BeginDrain()
	if err := s.conns.Wait(ctx); err != nil {
		return err
	}
	return s.Shutdown(ctx)
}
