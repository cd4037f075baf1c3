package config

import (
	"github.com/llm-simulator/llm-simulator/config/units"
)

// ServerConfig bounds what a client can hold of the proxy and admin
// servers — a connection that sends its headers a byte at a time, a body
// that never ends, an idle keep-alive or tunnel — so that a misbehaving
// client costs a connection for a bounded time, never the process. There
// is no write timeout: a simulated stream may rightly last many minutes.
// Like the listen addresses, these take effect at the next start or
// upgrade, not at a reload.
type ServerConfig struct {
	// ReadHeaderTimeout bounds reading a request's headers (slow-header
	// clients are cut off after it). Default 30s.
	ReadHeaderTimeout units.Duration `yaml:"read_header_timeout"`
	// ReadBodyTimeout bounds reading a request's body once its headers
	// are in; a client still sending when it passes gets the provider's
	// 400 and the connection is closed. Default 2m.
	ReadBodyTimeout units.Duration `yaml:"read_body_timeout"`
	// IdleTimeout closes a keep-alive connection (HTTP/1.1 or h2, plain or
	// intercepted) that has carried no request for this long. Default 2m.
	IdleTimeout units.Duration `yaml:"idle_timeout"`
	// TunnelIdleTimeout closes a blind CONNECT tunnel in which no byte has
	// moved either way for this long. Default 10m.
	TunnelIdleTimeout units.Duration `yaml:"tunnel_idle_timeout"`
	// DrainIdleGrace is how long a drain (an upgrade's, or SIGTERM's)
	// leaves a kept-alive connection that carries no request open before
	// it closes it: a request its client had already sent has that long
	// to arrive, and is answered with Connection: close (HTTP/1.1) or a
	// GOAWAY (h2) like every response once the drain has begun. Closing
	// such a connection at once would fail that request, which a client
	// does not retry when it is a POST. Capped by drain_timeout; the old
	// process of an upgrade lives at least this long when a client holds
	// an idle connection, and the next upgrade waits for it to exit.
	// Default 2s.
	DrainIdleGrace units.Duration `yaml:"drain_idle_grace"`
	// MaxHeaderBytes bounds a request's header block; a larger one gets
	// 431 and the connection is closed. Default 1MiB.
	MaxHeaderBytes units.Size `yaml:"max_header_bytes"`
}
