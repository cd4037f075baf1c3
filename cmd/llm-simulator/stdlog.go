package main

import (
	"log"
	"strings"

	"github.com/rs/zerolog"
)

// zerologStd routes net/http's own error log (TLS handshake noise, bad
// requests) into the structured log at debug level.
func zerologStd(l zerolog.Logger) *log.Logger {
	return log.New(stdWriter{l.With().Str("component", "http").Logger()}, "", 0)
}

type stdWriter struct{ l zerolog.Logger }

func (w stdWriter) Write(p []byte) (int, error) {
	w.l.Debug().Msg(strings.TrimSpace(string(p)))
	return len(p), nil
}
