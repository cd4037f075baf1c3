package sidecar

import (
	"io"
	"os"
	"time"

	"github.com/llm-simulator/llm-simulator/config"
	"github.com/rs/zerolog"
)

// newLogger builds the process logger from the config's log section.
// "auto" writes for people on a terminal and JSON everywhere else.
func newLogger(c config.LogConfig, w io.Writer) zerolog.Logger {
	level, err := zerolog.ParseLevel(c.Level)
	if err != nil {
		level = zerolog.InfoLevel
	}
	if consoleLog(c, w, isTerminal) {
		w = zerolog.ConsoleWriter{Out: w, TimeFormat: time.TimeOnly}
	}
	return zerolog.New(w).Level(level).With().Timestamp().Logger()
}

// consoleLog reports whether the log goes to w as console lines, for
// people, rather than JSON.
func consoleLog(c config.LogConfig, w io.Writer, isTerm func(io.Writer) bool) bool {
	return c.Format == "console" || c.Format == "auto" && isTerm(w)
}

// accessLog says whether each request gets an access line on w, and
// whether a brief one (the log is console lines) rather than every field
// in JSON. By default (log.access: auto) only a person watching a
// terminal gets them: after "ready", a first run shows its requests and
// the faults that fired, while a log read by machines pays nothing.
func accessLog(c config.LogConfig, w io.Writer, isTerm func(io.Writer) bool) (on, brief bool) {
	brief = consoleLog(c, w, isTerm)
	return c.Access.On(brief && isTerm(w)), brief
}

// isTerminal reports whether w is a terminal, where people read.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
