package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// durationName is a log field name that says time and no unit.
var durationName = regexp.MustCompile(`(^|_)(time|timeout|ttfb|ttft|duration|latency|elapsed|wait|delay|interval|grace|age)$`)

// A log field holding a duration says its unit in its name: the drain's
// "timeout_ms":30000, not "timeout":30000. No numeric field of the
// process's log is a duration without one.
func TestLoggedDurationsNameTheirUnit(t *testing.T) {
	_, _, stop, log := startServeLogged(t, writeConfig(t, adminRules))
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	var drained bool
	for _, line := range strings.Split(strings.TrimSpace(log.String()), "\n") {
		var fields map[string]any
		if err := json.Unmarshal([]byte(line), &fields); err != nil {
			t.Fatalf("not a JSON log line: %q", line)
		}
		for k, v := range fields {
			if _, num := v.(float64); num && durationName.MatchString(k) {
				t.Errorf("field %q holds a number with no unit in its name: %s", k, line)
			}
		}
		if fields["message"] == "draining" {
			drained = true
			if fields["timeout_ms"] != 30000.0 {
				t.Errorf("the drain line's timeout_ms is %v, want 30000 (drain_timeout 30s): %s", fields["timeout_ms"], line)
			}
		}
	}
	if !drained {
		t.Fatalf("no draining line:\n%s", log)
	}
}

// ctl requests lists the journal oldest first by arrival (its TIME
// column), though the API lists records as they finished: a slow request
// that came first is listed first; records that arrived together keep
// the API's order.
func TestCtlRequestsOldestFirst(t *testing.T) {
	const journal = `{"requests":[
		{"time":"2026-01-02T10:00:02.000Z","method":"POST","path":"/fast","rule":"r","source":"simulated","status":200},
		{"time":"2026-01-02T10:00:01.000Z","method":"POST","path":"/slow","rule":"r","source":"simulated","status":200},
		{"time":"2026-01-02T10:00:03.000Z","method":"POST","path":"/same-a","rule":"r","source":"simulated","status":200},
		{"time":"2026-01-02T10:00:03.000Z","method":"POST","path":"/same-b","rule":"r","source":"simulated","status":200}]}`
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/requests" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(journal))
	}))
	defer api.Close()
	out, errOut, err := ctlRun(api.Listener.Addr().String(), "requests")
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	var paths []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n")[1:] {
		paths = append(paths, strings.Fields(line)[3])
	}
	if got := strings.Join(paths, " "); got != "/slow /fast /same-a /same-b" {
		t.Fatalf("rows in the order %s:\n%s", got, out)
	}
}
