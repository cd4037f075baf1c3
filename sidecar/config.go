package sidecar

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/llm-simulator/llm-simulator/cassette"
	"github.com/llm-simulator/llm-simulator/config"
	"github.com/llm-simulator/llm-simulator/proxy"
	"github.com/llm-simulator/llm-simulator/proxy/mitm"
	"github.com/llm-simulator/llm-simulator/simulate"
)

// ConfigOptions are the options to load a config this server will serve
// with: templates are checked against the data they will really see, and
// cassette names and key headers as the store will check them. The
// admin API's rule lists are loaded with them too.
func ConfigOptions() config.Options {
	return config.Options{TemplateData: simulate.TemplateData{},
		CassetteName: cassette.ValidName, SecretHeader: cassette.IsSecretHeader}
}

// Check makes, without side effects, the checks Run makes at start
// beyond the file's own (config.Load): that the upstreams can be built,
// and that an interception CA already there fits the intercept hosts —
// the same functions Run calls; rotate is as CheckCA's. A CA not made yet
// is made for the hosts at the first start, which Check does not do; nor
// does it bind the listeners or open the cassettes.
func Check(cfg *config.Config, rotate string) error {
	if _, err := proxy.NewUpstreams(cfg, nil); err != nil {
		return err
	}
	if len(*cfg.Intercept.Hosts) == 0 {
		return nil
	}
	cert, key := cfg.Intercept.CACert, cfg.Intercept.CAKey
	if cert == "" {
		dir, err := CADir(cfg)
		if err != nil {
			return err
		}
		cert, key = filepath.Join(dir, mitm.CertFileName), filepath.Join(dir, mitm.KeyFileName)
		if _, err := os.Stat(cert); errors.Is(err, fs.ErrNotExist) {
			return nil // none yet: the first start makes it
		}
	}
	ca, err := mitm.Load(cert, key)
	if err != nil {
		return fmt.Errorf("interception: %w", err)
	}
	return CheckCA(ca, cfg, rotate)
}
