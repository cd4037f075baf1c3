package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// churn changes the process while the traffic runs: every second a rule
// toggled and a temporary fault added (with a short ttl, or deleted the
// next second); every five seconds a reload with a changed config, by
// SIGHUP and by the admin endpoint in turn.
type churn struct {
	p                                *process
	toggles, added, deleted, reloads atomic.Int64
	failed                           atomic.Int64
	lastErr                          atomic.Pointer[string]
}

func (c *churn) run(ctx context.Context) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	var pending string // a fault to delete on the next tick
	for n := 1; ; n++ {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		verb := map[bool]string{true: "disable", false: "enable"}[n%2 == 1]
		c.call("POST", "/api/v1/rules/errors/"+verb, "", &c.toggles)
		if pending != "" {
			c.call("DELETE", "/api/v1/faults/"+pending, "", &c.deleted)
			pending = ""
		}
		ttl := "2s"
		if n%2 == 0 {
			ttl = "1m" // deleted on the next tick rather than expire
		}
		body := fmt.Sprintf(`{"match":{"headers":{"x-soak":"temp"}},"faults":[{"error":{"status":503,"probability":0.5}},{"latency":{"dist":"constant","value":"2ms"}}],"ttl":%q}`, ttl)
		if id := c.call("POST", "/api/v1/faults", body, &c.added); n%2 == 0 {
			pending = id
		}
		if n%5 == 0 {
			c.reload(n / 5)
		}
	}
}

func (c *churn) reload(gen int) {
	if err := c.p.writeConfig(gen); err != nil {
		c.fail(err.Error())
		return
	}
	if gen%2 == 0 {
		if err := c.p.cmd.Process.Signal(syscall.SIGHUP); err != nil {
			c.fail(err.Error())
			return
		}
		c.reloads.Add(1)
		return
	}
	c.call("POST", "/api/v1/reload", "", &c.reloads)
}

// call makes an admin call, counting it in ok when it succeeds, and
// returns the id of what it created, if anything.
func (c *churn) call(method, path, body string, ok *atomic.Int64) string {
	req, _ := http.NewRequest(method, "http://"+c.p.admin+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json") // the admin API's rule for any state-changing call
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.fail(err.Error())
		return ""
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		c.fail(fmt.Sprintf("%s %s: %d %s", method, path, resp.StatusCode, data))
		return ""
	}
	ok.Add(1)
	var v struct{ ID string }
	_ = json.Unmarshal(data, &v)
	return v.ID
}

func (c *churn) fail(msg string) {
	c.failed.Add(1)
	c.lastErr.Store(&msg)
}

func (c *churn) counts() string {
	s := fmt.Sprintf("%d toggles, %d temporary faults added, %d deleted, %d reloads, %d admin calls failed",
		c.toggles.Load(), c.added.Load(), c.deleted.Load(), c.reloads.Load(), c.failed.Load())
	if e := c.lastErr.Load(); e != nil {
		s += " (last: " + *e + ")"
	}
	return s
}
