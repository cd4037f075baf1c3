package sidecar

import (
	"context"
	"errors"
	"time"

	"github.com/llm-simulator/llm-simulator/proxy"
	"github.com/rs/zerolog"
)

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
