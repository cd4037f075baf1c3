package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// process is the llm-simulator under soak, and what its log showed.
type process struct {
	cmd          *exec.Cmd
	config       string
	proxy, admin string
	mu           sync.Mutex // guards panicked
	panicked     string     // the first log line that shows a panic
	unexplained  atomic.Int64
}

// startProcess writes the first config into dir, starts bin on
// kernel-chosen loopback ports and waits for its ready line.
func startProcess(bin, dir string) (*process, error) {
	p := &process{config: filepath.Join(dir, "config.yaml")}
	if err := p.writeConfig(0); err != nil {
		return nil, err
	}
	p.cmd = exec.Command(bin, "--config", p.config, "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0")
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	ready := make(chan struct{})
	go p.readLog(stderr, ready)
	select {
	case <-ready:
		return p, nil
	case <-time.After(30 * time.Second):
		p.kill()
		return nil, fmt.Errorf("no ready line in 30s")
	}
}

// readLog reads the log until it ends, noting the addresses from the
// ready line and any line that shows a panic.
func (p *process) readLog(r io.Reader, ready chan<- struct{}) {
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		var l struct{ Message, Listen, Admin string }
		if p.proxy == "" && json.Unmarshal(sc.Bytes(), &l) == nil && l.Message == "ready" {
			p.proxy, p.admin = l.Listen, l.Admin
			close(ready)
		}
		if strings.Contains(line, "panic") || strings.Contains(line, "goroutine ") || strings.Contains(line, "fatal error") {
			p.mu.Lock()
			if p.panicked == "" {
				p.panicked = line
			}
			p.mu.Unlock()
		}
	}
}

func (p *process) panicLine() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.panicked
}

func (p *process) kill() {
	_ = p.cmd.Process.Kill()
	_ = p.cmd.Wait()
}

// soakConfig is the rules the traffic picks by its x-soak header. gen
// changes with every reload, so each one builds a new rule set.
const soakConfig = `version: 1
# generation %d
log: {level: info, format: json}
journal: {size: 500, bodies: true}
simulate:
  ttft: {dist: constant, value: 2ms}
  itl: {dist: constant, value: 1ms}
  output_tokens: {dist: uniform, min: 5, max: 40}
rules:
  - name: errors
    match: {headers: {x-soak: errors}}
    faults:
      - error: {status: 429, probability: %.2f, retry_after: 1s}
      - error: {status: 503, probability: 0.1}
  - name: cut
    match: {headers: {x-soak: cut}}
    faults: [{stream: {truncate_after_events: 3, probability: 0.5}}]
  - name: limited
    match: {headers: {x-soak: limited}}
    faults: [{rate_limit: {requests_per_minute: 30, key: api_key}}]
  - name: slow
    match: {headers: {x-soak: slow}}
    faults: [{latency: {dist: uniform, min: 1ms, max: 20ms}}]
  - name: everything-else
    action: simulate
`

func (p *process) writeConfig(gen int) error {
	body := fmt.Sprintf(soakConfig, gen, 0.2+0.1*float64(gen%5))
	tmp := p.config + ".tmp"
	if err := os.WriteFile(tmp, []byte(body), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, p.config) // the watcher never reads half a file
}

// sample is the process's size at one moment.
type sample struct {
	name       string
	at         time.Time
	rss        int64 // VmRSS
	heapInuse  int64
	goroutines int
}

func (s sample) String() string {
	return fmt.Sprintf("%-6s %s  rss %s  heap in use %s  goroutines %d",
		s.name, s.at.Format("15:04:05"), mib(s.rss), mib(s.heapInuse), s.goroutines)
}

// sample reads VmRSS from /proc and the goroutines and heap from the
// process's own /metrics.
func (p *process) sample(name string) (sample, error) {
	s := sample{name: name, at: time.Now()}
	status, err := os.ReadFile("/proc/" + strconv.Itoa(p.cmd.Process.Pid) + "/status")
	if err != nil {
		return s, err
	}
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			s.rss = kb << 10
		}
	}
	resp, err := http.Get("http://" + p.admin + "/metrics")
	if err != nil {
		return s, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		name, value, _ := strings.Cut(sc.Text(), " ")
		v, _ := strconv.ParseFloat(value, 64)
		switch name {
		case "go_goroutines":
			s.goroutines = int(v)
		case "go_memstats_heap_inuse_bytes":
			s.heapInuse = int64(v)
		}
	}
	if s.rss == 0 || s.goroutines == 0 {
		return s, fmt.Errorf("sample %s: no VmRSS or go_goroutines", name)
	}
	return s, sc.Err()
}
