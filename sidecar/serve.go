package sidecar

import (
	"log"
	"net/http"
	"strings"
	"time"

	"github.com/llm-simulator/llm-simulator/config"
	"github.com/llm-simulator/llm-simulator/proxy"
	"github.com/rs/zerolog"
)

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

// zerologStd routes net/http's own error log (TLS handshake noise, bad
// requests) into the structured log at debug level.
func zerologStd(l zerolog.Logger) *log.Logger {
	return log.New(stdWriter{l.With().Str("component", "http").Logger()}, "", 0)
}

// stdWriter writes each line a standard logger gives it as a debug line.
type stdWriter struct{ l zerolog.Logger }

func (w stdWriter) Write(p []byte) (int, error) {
	w.l.Debug().Msg(strings.TrimSpace(string(p)))
	return len(p), nil
}
