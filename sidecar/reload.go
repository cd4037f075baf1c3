package sidecar

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io/fs"
	"os"
	"syscall"
	"time"

	"github.com/llm-simulator/llm-simulator/config"
	"github.com/rs/zerolog"
)

// reload reads the config again (Options.Load) and applies it; a bad
// config leaves the one in force serving.
func (r *runtime) reload(reason string) (err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	defer func() { r.countReload(err) }()
	r.digest = fileDigest(r.opts.File)
	cfg, err := r.opts.Load()
	if err != nil {
		logConfigErrors(r.log.With().Str("reason", reason).Logger(), configErrors(err, r.opts.File))
		r.log.Warn().Msg("the config in force keeps serving")
		return err
	}
	if r.loaded != nil && (cfg.Listen != r.loaded.Listen || cfg.Admin.Listen != r.loaded.Admin.Listen) {
		r.log.Warn().Msg("listen addresses changed: they take effect at the next start or upgrade")
	}
	if r.loaded != nil && !sameAdminGuard(cfg, r.loaded) {
		r.log.Warn().Msg("the admin token, allowed_hosts or allowed_origins changed: they take effect at the next start or upgrade")
	}
	if err := r.apply(cfg, "file "+r.opts.Source); err != nil {
		r.log.Error().Err(err).Str("reason", reason).Msg("reload failed")
		r.log.Warn().Msg("the config in force keeps serving")
		return err
	}
	if r.loaded != nil && !sameCA(cfg, r.loaded) {
		r.log.Warn().Msg("the intercept CA changed: it takes effect at the next start or upgrade")
	}
	r.loaded = cfg
	r.log.Info().Str("reason", reason).Int("rules", len(cfg.Rules)).Msg("config reloaded")
	return nil
}

// configErrors is the config's refusal as a list: the file's problems,
// each with its file:line:col, or the one reason it could not be read.
func configErrors(err error, file string) config.ErrorList {
	var list config.ErrorList
	if errors.As(err, &list) {
		return list
	}
	msg := err.Error()
	if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
		msg = pe.Err.Error() // the path is the File
	}
	return config.ErrorList{{File: file, Msg: msg}}
}

// logConfigErrors logs each of the config's problems on its own line,
// led by its file:line:col.
func logConfigErrors(log zerolog.Logger, list config.ErrorList) {
	for _, e := range list {
		log.Error().Msg(e.Error())
	}
}

// countReload counts a reload by its outcome in the metrics.
func (r *runtime) countReload(err error) {
	if r.metrics == nil {
		return
	}
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	r.metrics.Reload(outcome)
}

// start runs the reload triggers of a config file: SIGHUP always, the
// file watch when asked. The returned func stops them.
func (r *runtime) start(ctx context.Context, interval time.Duration, watch bool) func() {
	ctx, cancel := context.WithCancel(ctx)
	if r.opts.File == "" {
		return cancel // no file: nothing changes the config but the admin API
	}
	onSignal(ctx.Done(), syscall.SIGHUP, func() { _ = r.reload("SIGHUP") })
	if watch {
		go r.watch(ctx, interval)
	}
	return cancel
}

// watch polls the config file and reloads when its content changes, once
// per change: a bad file is reported once, not every interval. Polling,
// rather than file events, also sees editors that replace the file and
// volumes (ConfigMaps) that swap a symlink.
func (r *runtime) watch(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		d := fileDigest(r.opts.File)
		r.mu.Lock()
		changed := !bytes.Equal(d[:], r.digest[:])
		r.mu.Unlock()
		if changed {
			_ = r.reload("file changed")
		}
	}
}

// fileDigest is the hash of the file's content; that of nothing when it
// cannot be read.
func fileDigest(path string) [sha256.Size]byte {
	data, err := os.ReadFile(path)
	if err != nil {
		return [sha256.Size]byte{}
	}
	return sha256.Sum256(data)
}
