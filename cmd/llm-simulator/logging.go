package main

import (
	"io"
	"os"
	"time"

	"github.com/llm-simulator/llm-simulator/rules"
	"github.com/rs/zerolog"
)

// newLogger builds the process logger from the config's log section.
// "auto" writes for people on a terminal and JSON everywhere else.
func newLogger(c rules.LogConfig, w io.Writer) zerolog.Logger {
	level, err := zerolog.ParseLevel(c.Level)
	if err != nil {
		level = zerolog.InfoLevel
	}
	if c.Format == "console" || c.Format == "auto" && isTerminal(w) {
		w = zerolog.ConsoleWriter{Out: w, TimeFormat: time.TimeOnly}
	}
	return zerolog.New(w).Level(level).With().Timestamp().Logger()
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
