package sidecar

import (
	"os"
	"runtime/debug"

	"github.com/llm-simulator/llm-simulator/config"
)

// tuneRuntime applies the config's runtime section, unless the operator
// set GOGC or GOMEMLIMIT, which always win.
func tuneRuntime(c config.RuntimeConfig) {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(c.GCPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" && c.MemoryLimit > 0 {
		debug.SetMemoryLimit(int64(c.MemoryLimit))
	}
}
