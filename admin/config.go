package admin

import (
	"net/url"

	"github.com/llm-simulator/llm-simulator/config"
	"gopkg.in/yaml.v3"
)

// masked stands in for a secret in the effective config.
const masked = "********"

// maskedConfig is the config in force as the file's own keys, with the
// admin token and any password in an upstream URL masked.
func maskedConfig(cfg *config.Config) (map[string]any, error) {
	data, err := yaml.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	var v map[string]any
	if err := yaml.Unmarshal(data, &v); err != nil {
		return nil, err
	}
	if a, ok := v["admin"].(map[string]any); ok && a["token"] != "" && a["token"] != nil {
		a["token"] = masked
	}
	if ps, ok := v["providers"].(map[string]any); ok {
		for _, p := range ps {
			if p, ok := p.(map[string]any); ok {
				p["upstream"] = maskURL(p["upstream"])
			}
		}
	}
	return v, nil
}

func maskURL(v any) any {
	s, ok := v.(string)
	if !ok {
		return v
	}
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return v
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), masked)
	}
	return u.String()
}
